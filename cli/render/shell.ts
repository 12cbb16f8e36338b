import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CliContext } from '../context.js';
import { formatError } from './errors.js';
import { writeResult } from './output.js';
import {
  changeDisplay,
  type Display,
  type DotCommand,
  isDotCommand,
  parseDotCommand,
  runCommandQuery,
} from './shell-commands.js';
import { type Catalog, complete, EMPTY_CATALOG, loadCatalog } from './shell-completion.js';
import {
  appendHistory,
  historyFilePath,
  loadHistory,
  MAX_HISTORY_ENTRIES,
} from './shell-history.js';
import { ShellInput, type TerminalStream } from './shell-input.js';
import { splitStatements, toOneLine } from './shell-statements.js';

export interface ShellOptions {
  tableLimit?: number | undefined;
}

const PROMPT = 'mdq> ';
const CONTINUATION = '...> ';
const BANNER = 'mdq sql shell. .help for commands, .quit to leave.';
/** A query still running after this long says how to cancel it. */
const RUNNING_NOTE_MS = 1000;

/**
 * The interactive shell, on stderr (a terminal). Line editing, history and tab completion are
 * Node's readline, the editor of Node's own REPL: Left/Right, Home/End, Ctrl-A/E/U/W/K/Y,
 * Alt-B/F, Ctrl-L and the rest as in bash. ink's text inputs (ink-text-input, @inkjs/ui) move
 * the cursor and delete, nothing more. Ctrl-C cancels a running query
 * (`connection.interrupt()` through an AbortSignal) and the shell stays.
 */
export async function runShell(
  connection: DuckDBConnection,
  context: CliContext,
  options: ShellOptions,
): Promise<number> {
  const historyPath = historyFilePath(context.env, context.cwd);
  const history = await loadHistory(historyPath);
  const useColor = !(context.env.NO_COLOR !== undefined && context.env.NO_COLOR !== '');
  const output = context.stderr as NodeJS.WriteStream;
  const input = new ShellInput(context.stdin as TerminalStream);
  let catalog: Catalog = await loadCatalog(connection).catch(() => EMPTY_CATALOG);
  const editor = createInterface({
    input: input as unknown as NodeJS.ReadableStream,
    output,
    terminal: true,
    prompt: PROMPT,
    historySize: MAX_HISTORY_ENTRIES,
    history: recallList(history),
    completer: (line: string) => complete(line, catalog),
  });
  const print = (text: string) => output.write(`${text.replace(/\n+$/, '')}\n`);
  let pending = '';
  let display: Display = { format: 'table', expanded: false };

  const remember = (entry: string) => {
    if (history[history.length - 1] !== entry) {
      history.push(entry);
      void appendHistory(historyPath, entry).catch(() => undefined);
    }
    replaceHistory(editor, recallList(history));
  };

  /** Runs commands with the keyboard held: Ctrl-C cancels, other keys wait for the prompt. */
  const run = async (commands: Extract<DotCommand, { kind: 'query' }>[]) => {
    const controller = new AbortController();
    input.hold(() => controller.abort());
    for (const command of commands) {
      if (controller.signal.aborted) {
        break;
      }
      const status = runningNote(output, useColor);
      try {
        const result = await runCommandQuery(connection, command, controller.signal);
        if (result.columns.length === 0) {
          status.clear();
          print('OK');
          continue;
        }
        const sink = afterNote(output, status);
        await writeResult(result, sink, {
          format: display.format,
          tableLimit: options.tableLimit,
          useColor,
          notes: sink,
          // The shell always draws on a terminal: csv, json and ndjson modes escape control
          // characters as tables do.
          isTerminal: true,
          table: {
            width: output.columns,
            expanded: display.expanded && !command.describes,
            hiddenColumnsHint: '\\x or .mode line shows every column',
          },
        });
      } catch (error) {
        status.clear();
        output.write(formatError(error));
      } finally {
        status.clear();
      }
    }
    catalog = await loadCatalog(connection).catch(() => catalog);
  };

  const onLine = async (line: string) => {
    if (pending === '' && isDotCommand(line)) {
      remember(line.trim());
      const command = parseDotCommand(line);
      if (command.kind === 'quit') {
        editor.close();
        return;
      }
      if (command.kind === 'text') {
        print(command.text);
      } else if (command.kind === 'display') {
        const changed = changeDisplay(display, command);
        display = changed.display;
        print(changed.text);
      } else {
        await run([command]);
      }
    } else {
      const { statements, rest } = splitStatements(`${pending}${line}\n`);
      pending = rest === '' ? '' : `${rest}\n`;
      if (statements.length > 0) {
        remember(statements.map((statement) => `${statement};`).join(' '));
        await run(statements.map((sql) => ({ kind: 'query', sql })));
      }
    }
    editor.setPrompt(pending === '' ? PROMPT : CONTINUATION);
    editor.prompt();
    input.release();
  };

  return new Promise((resolve) => {
    editor.on('line', (line) => {
      // readline adds each typed line to its history; the shell keeps whole statements instead.
      replaceHistory(editor, recallList(history));
      void onLine(line);
    });
    editor.on('SIGINT', () => {
      if (editor.line !== '' || pending !== '') {
        abandonLine(editor, output);
        pending = '';
        editor.setPrompt(PROMPT);
      } else {
        print('\n(.quit or Ctrl-D to leave)');
      }
      editor.prompt();
    });
    editor.on('close', () => {
      output.write('\n');
      input.detach();
      resolve(0);
    });
    print(BANNER);
    editor.prompt();
  });
}

/** readline's history, newest first, each entry on one line so it can be recalled and edited. */
function recallList(history: readonly string[]): string[] {
  return history.map(toOneLine).reverse();
}

function replaceHistory(editor: Interface, entries: string[]): void {
  const list = (editor as unknown as { history: string[] }).history;
  list.splice(0, list.length, ...entries);
}

/** Ctrl-C on a line being typed: show it ended with ^C, and start afresh below. */
function abandonLine(editor: Interface, output: NodeJS.WriteStream): void {
  editor.write(null, { ctrl: true, name: 'e' });
  output.write('^C');
  // clearLine is readline's own (Node's REPL uses it): a new line, and an empty buffer.
  const clear = (editor as unknown as { clearLine?: () => void }).clearLine;
  if (typeof clear === 'function') {
    clear.call(editor);
  } else {
    output.write('\n');
    editor.write(null, { ctrl: true, name: 'u' });
  }
}

interface RunningNote {
  clear(): void;
}

/** "running… (Ctrl-C cancels)" once a query has taken a second, erased when output comes. */
function runningNote(output: NodeJS.WriteStream, useColor: boolean): RunningNote {
  let shown = false;
  const timer = setTimeout(() => {
    shown = true;
    const text = 'running… (Ctrl-C cancels)';
    output.write(useColor ? `\u001b[2m${text}\u001b[22m` : text);
  }, RUNNING_NOTE_MS);
  return {
    clear() {
      clearTimeout(timer);
      if (shown) {
        shown = false;
        output.write('\r\u001b[2K');
      }
    },
  };
}

/** Where a result is written: the terminal, once the running note is gone. */
function afterNote(output: NodeJS.WriteStream, status: RunningNote): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      status.clear();
      output.write(chunk, callback);
    },
  });
}
