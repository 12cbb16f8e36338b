// Fails the run loudly if tests ever run on a Node older than the 24 the project pins for dev/CI.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  throw new Error(`tests must run on Node >= 24, got ${process.version} (${process.execPath})`);
}
