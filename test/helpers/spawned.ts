import { type ChildProcess, spawn } from 'node:child_process';

export type Spawned = ChildProcess & { output: () => string };

/** Starts a child process with no stdin, keeping its stdout and stderr together as `output()`. */
export function spawnWithOutput(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Spawned {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return Object.assign(child, { output: () => output });
}

/** How the child ended (at once if it already has). */
export function exited(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Resolves once the child has printed `line` (a whole line); rejects if it exits first. */
export function waitForLine(child: Spawned, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (child.output().includes(`${line}\n`)) {
        child.stdout?.off('data', check);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', () => reject(new Error(`child exited before "${line}": ${child.output()}`)));
    check();
  });
}
