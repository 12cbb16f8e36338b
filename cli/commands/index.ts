import type { Command } from './command.js';

/** Every command, in the order `mdq --help` lists them. */
export const COMMANDS: readonly Command[] = [];
