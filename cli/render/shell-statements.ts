/**
 * Splits typed or piped SQL into complete statements. A statement ends at a `;` that is not
 * inside a string ('…'), a quoted identifier ("…"), a dollar-quoted string ($tag$…$tag$) or a
 * comment (-- …, /* … *\/). Text after the last `;` is returned as `rest`: the shell keeps it
 * pending and shows a continuation prompt, stdin mode runs it at end of input.
 */
export interface SplitResult {
  statements: string[];
  /** Where each statement starts in the text (its first character, after leading space). */
  starts: number[];
  rest: string;
  /** Where the text after the last `;` starts, untrimmed (`rest` is trimmed). */
  restStart: number;
}

export function splitStatements(text: string): SplitResult {
  const statements: string[] = [];
  const starts: number[] = [];
  let start = 0;
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    const next = text[index + 1];
    if (char === "'" || char === '"') {
      index = skipQuoted(text, index, char);
    } else if (char === '-' && next === '-') {
      const end = text.indexOf('\n', index);
      index = end === -1 ? text.length : end + 1;
    } else if (char === '/' && next === '*') {
      const end = text.indexOf('*/', index + 2);
      index = end === -1 ? text.length : end + 2;
    } else if (char === '$') {
      index = skipDollarQuoted(text, index);
    } else if (char === ';') {
      const raw = text.slice(start, index);
      const statement = raw.trim();
      if (statement !== '') {
        statements.push(statement);
        starts.push(start + (raw.length - raw.trimStart().length));
      }
      index += 1;
      start = index;
    } else {
      index += 1;
    }
  }
  return { statements, starts, rest: text.slice(start).trim(), restStart: start };
}

/**
 * A statement typed over several lines, as one line that means the same, for readline to recall
 * and edit: line breaks become spaces and `-- comments` become block comments. Line breaks
 * inside strings are data and stay.
 */
export function toOneLine(sql: string): string {
  let out = '';
  let index = 0;
  while (index < sql.length) {
    const char = sql[index];
    const next = sql[index + 1];
    let end = index + 1;
    if (char === "'" || char === '"') {
      end = skipQuoted(sql, index, char);
      out += sql.slice(index, end);
    } else if (char === '$') {
      end = skipDollarQuoted(sql, index);
      out += sql.slice(index, end);
    } else if (char === '-' && next === '-') {
      const lineEnd = sql.indexOf('\n', index);
      end = lineEnd === -1 ? sql.length : lineEnd;
      const comment = sql
        .slice(index + 2, end)
        .replace(/\r$/, '')
        .trim()
        .replaceAll('*/', '* /');
      out += `/* ${comment} */`;
    } else if (char === '/' && next === '*') {
      const close = sql.indexOf('*/', index + 2);
      end = close === -1 ? sql.length : close + 2;
      out += sql.slice(index, end).replace(/\s*[\r\n]+\s*/g, ' ');
    } else if (char === '\n' || char === '\r') {
      out += out.endsWith(' ') ? '' : ' ';
    } else {
      out += char;
    }
    index = end;
  }
  return out.trim();
}

/** Index just past the closing quote; a doubled quote is an escaped one. Unclosed: end of text. */
function skipQuoted(text: string, open: number, quote: string): number {
  let index = open + 1;
  while (index < text.length) {
    if (text[index] === quote) {
      if (text[index + 1] === quote) {
        index += 2;
        continue;
      }
      return index + 1;
    }
    index += 1;
  }
  return text.length;
}

function skipDollarQuoted(text: string, open: number): number {
  const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(open))?.[0];
  if (!tag) {
    return open + 1; // a positional parameter ($1) or a lone dollar
  }
  const end = text.indexOf(tag, open + tag.length);
  return end === -1 ? text.length : end + tag.length;
}
