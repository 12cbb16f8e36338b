// Development and CI run on the Node 24 that the `node` devDependency installs; npm puts it first
// on PATH for npm scripts. A run on an older system Node (for example after `npm ci --ignore-scripts`)
// would test something users never run, so refuse it loudly.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `mdq: tests need Node >= 24 but this is ${process.version} (${process.execPath}).\n` +
      'hint: run through npm scripts (npm test) after a plain `npm ci` so node_modules/.bin/node is used',
  );
  process.exit(1);
}
