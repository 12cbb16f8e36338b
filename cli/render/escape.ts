/**
 * Text that came from outside (CSV cells, blob names) must not drive the user's terminal: an
 * ESC sequence could repaint the screen, move the cursor or rewrite the title, and bidi overrides
 * can make text read differently than it is. Such characters are shown as visible escapes
 * (`\x1b`, `\n`, `\u202e`), and a backslash is doubled so an escape shown is never ambiguous.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\\\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

export function escapeControl(text: string): string {
  return text.replace(UNSAFE, (char) => NAMED[char] ?? visibleCode(char));
}

function visibleCode(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}
