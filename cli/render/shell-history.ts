import { appendFile, chmod, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Env } from '../../src/config.js';

/**
 * The shell's history file: one entry per line, newlines inside an entry written as `\n` (and
 * backslashes doubled) so a multi-line statement comes back whole. The file is private (0600):
 * statements can hold data values.
 */
export const MAX_HISTORY_ENTRIES = 1000;

export function historyFilePath(env: Env, cwd: string): string {
  const configured = env.MDQ_HISTORY_FILE;
  return configured && configured.trim() !== ''
    ? resolve(cwd, configured)
    : join(homedir(), '.mdq_history');
}

export async function loadHistory(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return []; // no history yet (or unreadable): the shell still works
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map(decodeEntry)
    .slice(-MAX_HISTORY_ENTRIES);
}

export async function appendHistory(path: string, entry: string): Promise<void> {
  await appendFile(path, `${encodeEntry(entry)}\n`, { mode: 0o600 });
  await chmod(path, 0o600).catch(() => undefined);
}

export function encodeEntry(entry: string): string {
  return entry.replaceAll('\\', '\\\\').replaceAll('\r', '').replaceAll('\n', '\\n');
}

export function decodeEntry(line: string): string {
  return line.replace(/\\(\\|n)/g, (_match, code: string) => (code === 'n' ? '\n' : '\\'));
}
