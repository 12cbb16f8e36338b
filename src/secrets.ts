/**
 * Secrets must never reach output, logs or errors. Everything that turns a third-party error or
 * a URL into text goes through `redactSecrets`, which masks account keys, SAS signatures and
 * whole connection strings wherever they appear.
 */
const SECRET_PATTERNS: readonly RegExp[] = [
  // connection-string fields: AccountKey=...; SharedAccessSignature=... (quoted or not)
  /(AccountKey|SharedAccessSignature|SharedAccessKey)=["']?[^;\s"']+/gi,
  // the same fields as JSON properties: "AccountKey":"..."
  /("(?:AccountKey|SharedAccessSignature|SharedAccessKey|sig)"\s*:\s*")[^"]+/gi,
  // SAS query parameters: sig=..., and the signed key fields of user-delegation SAS; also a bare
  // token that starts with one of them (no leading ? or &)
  /((?:^|[?&\s"'])(?:sig|skoid|sktid|skt|ske|sks|skv|se|sp|sv|st|spr|sr|srt|ss)=)[^&\s"']+/gi,
  // a SAS URL percent-encoded inside another URL or a log line: %3Fsig%3D..., %26sig%3D...
  /((?:%3F|%26)sig%3D)[^&\s"']+/gi,
  // bearer tokens in headers
  /(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/g,
];

const MASK = '***';

export function redactSecrets(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (_match, prefix: string) =>
      /[= "]$|%3D$/i.test(prefix) ? `${prefix}${MASK}` : `${prefix}=${MASK}`,
    );
  }
  return out;
}

/**
 * The first line of an error's message (or of `String(error)`), secrets masked: what mdq puts
 * in its own one-line errors when a library's message runs to many lines.
 */
export function firstLineOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return redactSecrets(message.split('\n')[0] ?? '').trim();
}

/** A URL without its query string (where SAS tokens live) and without credentials. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    const hadQuery = parsed.search !== '';
    parsed.search = '';
    return `${parsed.toString()}${hadQuery ? '?<sas>' : ''}`;
  } catch {
    return redactSecrets(url);
  }
}
