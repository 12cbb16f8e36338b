// The process around the CLI: loaded by main.ts once the compile cache is on.
import { createContext } from './context.js';
import { runCli } from './run-cli.js';

// The only place that touches the process: argv in, exit code out, Ctrl-C into an AbortSignal.
const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts += 1;
  if (interrupts > 1) {
    process.exit(130); // a second Ctrl-C means "now"
  }
  controller.abort();
});
for (const stream of [process.stdout, process.stderr]) {
  // A closed pipe (`mdq sql ... | head`) is not an error worth a stack trace.
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') {
      process.exit(0);
    }
    throw error;
  });
}

const context = createContext({
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  signal: controller.signal,
});
const code = await runCli(process.argv.slice(2), context);
process.exitCode = controller.signal.aborted && code === 0 ? 130 : code;
