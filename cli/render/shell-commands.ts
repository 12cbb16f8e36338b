import { USER_RELATIONS_SQL } from '../../src/query/describe.js';
import { quoteIdentifier } from '../../src/query/sql.js';

/**
 * The shell's dot-commands. Each becomes SQL to run (so it renders like any result), a text to
 * show, or the request to leave.
 */
export type DotCommand =
  | { kind: 'query'; sql: string }
  | { kind: 'text'; text: string }
  | { kind: 'quit' };

export const SHELL_HELP = [
  'Statements end with ; and may span lines. Up/Down recall history. Ctrl-C cancels a',
  'running query (or clears the line); .quit or Ctrl-D leaves.',
  '  .tables            tables and views in the database',
  '  .schema <table>    columns and types of a table or view',
  '  .help              this text',
  '  .quit              leave the shell',
].join('\n');

export function isDotCommand(line: string): boolean {
  return line.trimStart().startsWith('.');
}

export function parseDotCommand(line: string): DotCommand {
  const [name = '', ...args] = line.trim().split(/\s+/);
  switch (name.toLowerCase()) {
    case '.tables':
      return {
        kind: 'query',
        sql: USER_RELATIONS_SQL,
      };
    case '.schema': {
      const table = args.join(' ').replace(/;$/, '');
      if (table === '') {
        return { kind: 'text', text: 'usage: .schema <table>' };
      }
      return { kind: 'query', sql: `describe ${quoteIdentifier(table)}` };
    }
    case '.help':
      return { kind: 'text', text: SHELL_HELP };
    case '.quit':
    case '.exit':
      return { kind: 'quit' };
    default:
      return { kind: 'text', text: `unknown command ${name}; .help lists them` };
  }
}
