import { Writable } from 'node:stream';
import type { DuckDBConnection } from '@duckdb/node-api';
import { render, Static, Text, useApp, useInput } from 'ink';
import { useRef, useState } from 'react';
import { streamQuery } from '../../src/query/run.js';
import type { CliContext } from '../context.js';
import { formatError } from './errors.js';
import { escapeControl } from './escape.js';
import { writeResult } from './output.js';
import { isDotCommand, parseDotCommand } from './shell-commands.js';
import { appendHistory, historyFilePath, loadHistory } from './shell-history.js';
import { splitStatements } from './shell-statements.js';

export interface ShellOptions {
  tableLimit?: number | undefined;
}

const PROMPT = 'mdq> ';
const CONTINUATION = '...> ';

/**
 * The interactive shell: ink on stderr (a terminal), results as tables. The terminal is in raw
 * mode, so Ctrl-C arrives as a key, not SIGINT: it interrupts the running query
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
  const instance = render(
    <Shell
      connection={connection}
      history={history}
      tableLimit={options.tableLimit}
      useColor={useColor}
      onHistory={(entry) => appendHistory(historyPath, entry).catch(() => undefined)}
    />,
    {
      stdout: context.stderr,
      stderr: context.stderr,
      stdin: context.stdin,
      exitOnCtrlC: false,
      patchConsole: false,
      // The caller decided this is a terminal session (context.isInteractive); ink's own CI
      // detection treats an empty CI variable as CI and would render nothing until exit.
      interactive: true,
    },
  );
  await instance.waitUntilExit();
  return 0;
}

interface ShellProps {
  connection: DuckDBConnection;
  history: string[];
  tableLimit: number | undefined;
  useColor: boolean;
  onHistory: (entry: string) => void;
}

interface OutputItem {
  id: number;
  text: string;
}

/** Mutable editor state lives in a ref: key handlers run many times between renders. */
interface EditorState {
  input: string;
  pending: string;
  historyIndex: number | undefined;
  running: AbortController | undefined;
  nextId: number;
}

function Shell({ connection, history, tableLimit, useColor, onHistory }: ShellProps) {
  const { exit } = useApp();
  const [items, setItems] = useState<OutputItem[]>([
    { id: 0, text: 'mdq sql shell. .help for commands, .quit to leave.' },
  ]);
  const [, setTick] = useState(0);
  const state = useRef<EditorState>({
    input: '',
    pending: '',
    historyIndex: undefined,
    running: undefined,
    nextId: 1,
  }).current;
  const refresh = () => setTick((tick) => tick + 1);
  const print = (text: string) => {
    const id = state.nextId++;
    setItems((previous) => [...previous, { id, text: text.replace(/\n+$/, '') }]);
  };

  const remember = (entry: string) => {
    if (history[history.length - 1] !== entry) {
      history.push(entry);
      onHistory(entry);
    }
  };

  const runAll = async (statements: string[]) => {
    const controller = new AbortController();
    state.running = controller;
    refresh();
    for (const sql of statements) {
      if (controller.signal.aborted) {
        break;
      }
      try {
        const result = await streamQuery(connection, sql, { signal: controller.signal });
        const sink = textSink();
        await writeResult(result, sink.stream, {
          format: 'table',
          tableLimit,
          useColor,
          notes: sink.stream,
        });
        const text = sink.text();
        print(text === '' ? 'OK' : text);
      } catch (error) {
        print(formatError(error).split('\n').map(escapeControl).join('\n'));
      }
    }
    state.running = undefined;
    refresh();
  };

  const submit = (line: string) => {
    print(`${state.pending === '' ? PROMPT : CONTINUATION}${line}`);
    state.historyIndex = undefined;
    if (state.pending === '' && isDotCommand(line)) {
      remember(line.trim());
      const command = parseDotCommand(line);
      if (command.kind === 'quit') {
        exit();
      } else if (command.kind === 'text') {
        print(command.text);
      } else {
        void runAll([command.sql]);
      }
      return;
    }
    const { statements, rest } = splitStatements(`${state.pending}${line}\n`);
    state.pending = rest === '' ? '' : `${rest}\n`;
    if (statements.length > 0) {
      remember(statements.map((statement) => `${statement};`).join(' '));
      void runAll(statements);
    }
  };

  const recall = (step: -1 | 1) => {
    if (history.length === 0) {
      return;
    }
    const current = state.historyIndex ?? history.length;
    const next = Math.min(history.length, Math.max(0, current + step));
    state.historyIndex = next === history.length ? undefined : next;
    state.input = next === history.length ? '' : (history[next] ?? '');
  };

  useInput((input, key) => {
    if (key.ctrl && input === 'c') {
      if (state.running) {
        state.running.abort();
      } else if (state.input !== '' || state.pending !== '') {
        print(`${state.pending === '' ? PROMPT : CONTINUATION}${state.input}^C`);
        state.input = '';
        state.pending = '';
      } else {
        print('(.quit or Ctrl-D to leave)');
      }
    } else if (key.ctrl && input === 'd') {
      if (state.input === '' && state.pending === '' && !state.running) {
        exit();
      }
    } else if (state.running) {
      return; // keys typed while a query runs are dropped, except Ctrl-C
    } else if (key.upArrow) {
      recall(-1);
    } else if (key.downArrow) {
      recall(1);
    } else if (key.return) {
      const line = state.input;
      state.input = '';
      submit(line);
    } else if (key.backspace || key.delete) {
      state.input = state.input.slice(0, -1);
    } else if (input !== '' && !key.ctrl && !key.meta) {
      typeText(input);
    }
    refresh();
  });

  // A paste arrives as one input holding newlines: each full line is submitted in turn.
  const typeText = (text: string) => {
    const lines = text.replace(/\r\n?/g, '\n').split('\n');
    const last = lines.pop() ?? '';
    for (const line of lines) {
      submit(`${state.input}${line}`);
      state.input = '';
    }
    state.input += last;
  };

  const prompt = state.pending === '' ? PROMPT : CONTINUATION;
  return (
    <>
      <Static items={items}>{(item) => <Text key={item.id}>{item.text}</Text>}</Static>
      {state.running ? (
        <Text dimColor={useColor}>running… (Ctrl-C to cancel)</Text>
      ) : (
        <Text>
          {prompt}
          {state.input}
          <Text inverse> </Text>
        </Text>
      )}
    </>
  );
}

function textSink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}
