import { StringDecoder } from 'node:string_decoder';
import { escapeControl } from './escape.js';

/**
 * Escapes a CSV or JSON text stream for a terminal, chunk by chunk (a character may be split
 * between chunks). The structure stays: row ends are kept, and JSON stays valid JSON with the
 * same values (a control, C1 or bidi character becomes a `\uXXXX` escape). In CSV, where no
 * escape exists, such characters are shown the way the table shows them (escape.ts), line
 * breaks inside quoted values included.
 */
export interface TerminalEscaper {
  push(chunk: Buffer | string): string;
  end(): string;
}

// Raw line ends and tabs in JSON text are layout between values (inside strings they are
// always escaped), so they stay; everything else a terminal would act on becomes `\uXXXX`.
const JSON_UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function terminalEscaper(format: 'csv' | 'json'): TerminalEscaper {
  const decoder = new StringDecoder('utf8');
  const escapeText = format === 'csv' ? csvEscaper() : jsonEscape;
  return {
    push: (chunk) => escapeText(typeof chunk === 'string' ? chunk : decoder.write(chunk)),
    end: () => escapeText(decoder.end()),
  };
}

function jsonEscape(text: string): string {
  return text.replace(
    JSON_UNSAFE,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Escapes every character but the quotes and the line ends between rows. */
function csvEscaper(): (text: string) => string {
  let isQuoted = false;
  return (text) => {
    let out = '';
    let start = 0;
    for (let index = 0; index < text.length; index += 1) {
      const char = text[index];
      if (char === '"') {
        isQuoted = !isQuoted; // a doubled quote toggles twice: still inside
      } else if (char === '\n' && !isQuoted) {
        out += `${escapeControl(text.slice(start, index))}\n`;
        start = index + 1;
      }
    }
    return out + escapeControl(text.slice(start));
  };
}
