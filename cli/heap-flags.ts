// V8 heap sizing for the commands that stream a pull through the process. Loaded by main.ts
// before anything else, because these flags only take effect when V8 starts.
//
// Why: a pull allocates little on the JS heap (~200 MB per GB pulled, ~20 MB live) but a lot of
// ArrayBuffer memory outside it (every downloaded chunk, every staged write). With V8's default
// 16 MiB semi-spaces those buffers wait seconds for a scavenge, V8 sees external memory grow,
// and answers with full mark-compacts: 58 of them per GB, plus the GC helper threads' CPU.
// Small semi-spaces free the buffers in cheap scavenges, and a larger starting old space stops
// the early compactions. Measured on the bench's large archive through Azurite (`/usr/bin/time
// node [flags] dist/cli/main.js pull …`, `--trace-gc`): 58 -> 3 mark-compacts, 9.4 -> 7.9
// core-s, 6.3-6.8 s -> 5.4-5.8 s; on 3,000 small blobs the same time and ~90 MB less peak RSS.
// Neither flag can be set once V8 runs (`v8.setFlagsFromString` is documented as undefined
// behaviour, and heap sizes are fixed at start), and Node refuses the second in NODE_OPTIONS.
export const PULL_HEAP_FLAGS: readonly string[] = [
  '--max-semi-space-size=2',
  '--initial-old-space-size=96',
];

/** Commands that pull (demo pulls what it served); the others gain nothing worth a restart. */
const PULLING_COMMANDS = new Set(['pull', 'demo']);

/** Flags that mean someone chose the heap or attached a debugger: leave the process as is. */
const USER_CHOSEN = /^--(max[-_]semi[-_]space|initial[-_]old[-_]space|max[-_]old[-_]space|inspect)/;

export interface NodeProcessFacts {
  /** Arguments after the script (process.argv.slice(2)). */
  args: readonly string[];
  execArgv: readonly string[];
  env: NodeJS.ProcessEnv;
}

/**
 * The flags to restart with, or none: only for a pulling command, never when the heap flags or a
 * debugger were given (in execArgv or NODE_OPTIONS), and never when a parent talks to this
 * process over an IPC channel (its descriptor does not survive the restart).
 */
export function heapFlagsToAdd(facts: NodeProcessFacts): readonly string[] {
  const command = facts.args.find((arg) => !arg.startsWith('-'));
  if (command === undefined || !PULLING_COMMANDS.has(command)) {
    return [];
  }
  if (facts.env.NODE_CHANNEL_FD !== undefined) {
    return [];
  }
  const given = [...facts.execArgv, ...(facts.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return given.some((flag) => USER_CHOSEN.test(flag)) ? [] : PULL_HEAP_FLAGS;
}

/**
 * Replaces this process with the same command under PULL_HEAP_FLAGS (same pid, same standard
 * streams, same environment; Node's own flags such as --import kept), before any module of
 * mdq's has loaded. Costs one more Node start (~30 ms), and preloads (`--import`, `--require`)
 * run in both starts. Where execve is missing (Windows) or refused (Node's permission model),
 * the command runs here with V8's defaults: slower, same results.
 */
export function restartWithHeapFlags(): void {
  const flags = heapFlagsToAdd({
    args: process.argv.slice(2),
    execArgv: process.execArgv,
    env: process.env,
  });
  if (flags.length === 0 || typeof process.execve !== 'function') {
    return;
  }
  try {
    process.execve(
      process.execPath,
      [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)],
      process.env,
    );
  } catch {
    // Not fatal: run with V8's defaults.
  }
}
