import { MdqError } from '../../src/errors.js';
import type { Command } from './command.js';

// Placeholder so the registry is complete while the command is being built; replaced by its owner.
export const demoCommand: Command = {
  name: 'demo',
  usage: 'demo',
  describe: '(not built yet)',
  builder: (yargs) => yargs,
  run: () => Promise.reject(new MdqError('not-built', 'mdq demo is not built yet')),
};
