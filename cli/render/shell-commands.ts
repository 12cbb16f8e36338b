import { DATA_SCHEMA } from '../../src/query/pull/system-columns.js';
import { quoteIdentifier, quoteLiteral } from '../../src/query/sql.js';

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
        // A role's rows are stored in mdq_data and shown by a view of its name: a table to users.
        sql: `select t.table_name as name,
            case when s.table_name is not null or t.table_type = 'BASE TABLE' then 'table'
              else lower(t.table_type) end as type
          from information_schema.tables t left join information_schema.tables s
            on s.table_schema = ${quoteLiteral(DATA_SCHEMA)} and s.table_name = t.table_name
          where t.table_schema = ${quoteLiteral('main')} order by t.table_name`,
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
