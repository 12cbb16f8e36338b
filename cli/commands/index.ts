import { collectCommand } from './collect.js';
import type { Command } from './command.js';
import { demoCommand } from './demo.js';
import { exportCommand } from './export.js';
import { lsCommand } from './ls.js';
import { pullCommand } from './pull.js';
import { reportCommand } from './report.js';
import { sqlCommand } from './sql.js';

/** Every command, in the order `mdq --help` lists them. */
export const COMMANDS: readonly Command[] = [
  demoCommand,
  pullCommand,
  sqlCommand,
  exportCommand,
  reportCommand,
  lsCommand,
  collectCommand,
];
