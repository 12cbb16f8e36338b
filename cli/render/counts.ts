/** Counts for people: thousands separated, the noun in the plural unless there is one. */
export function count(value: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${thousands(value)} ${value === 1 ? noun : pluralNoun}`;
}

export function thousands(value: number): string {
  return value.toLocaleString('en-US');
}
