/** The only way generated SQL embeds outside values: quoted identifiers and string literals. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteLiteral(value: string): string {
  if (value.includes('\0')) {
    throw new Error('SQL literal contains a NUL byte');
  }
  return `'${value.replaceAll("'", "''")}'`;
}
