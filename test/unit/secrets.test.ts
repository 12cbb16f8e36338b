import { describe, expect, test } from 'vitest';
import { firstLineOf, redactSecrets, safeUrl } from '../../src/secrets.js';

const KEY = 'Zm9vYmFy+/c2VjcmV0a2V5c2VjcmV0a2V5==';
const SIG = 'AbCd%2BeF%3D';

describe('redactSecrets', () => {
  test.each([
    [
      'an account connection string',
      `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${KEY};EndpointSuffix=core.windows.net`,
      'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=***;EndpointSuffix=core.windows.net',
    ],
    [
      'a SAS connection string',
      `BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=sv=2024-11-04&sig=${SIG}`,
      'BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=***',
    ],
    [
      'a SAS URL',
      `GET https://acct.blob.core.windows.net/c/x.csv?sv=2024-11-04&sr=c&sp=rl&sig=${SIG} failed`,
      'GET https://acct.blob.core.windows.net/c/x.csv?sv=***&sr=***&sp=***&sig=*** failed',
    ],
    ['a bare SAS token', `sig=${SIG}&sv=2024-11-04`, 'sig=***&sv=***'],
    ['a bearer token', 'Authorization: Bearer eyJ0eXAi.eyJhdWQi.c2ln', 'Authorization: Bearer ***'],
    ['a quoted key', `AccountKey="${KEY}"`, 'AccountKey=***"'],
    ['a key as a JSON property', `{"AccountKey":"${KEY}","x":1}`, '{"AccountKey":"***","x":1}'],
    [
      'a percent-encoded SAS URL inside another URL',
      `https://proxy/?to=https%3A%2F%2Facct%2Fc%3Fsv%3D1%26sig%3D${SIG}`,
      'https://proxy/?to=https%3A%2F%2Facct%2Fc%3Fsv%3D1%26sig%3D***',
    ],
  ])('masks %s', (_what, input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  test('leaves text without secrets alone', () => {
    const text = 'blob sub/rg/ws/svc/m/1/inputs/2024/01/01/inputs.csv does not exist';
    expect(redactSecrets(text)).toBe(text);
  });

  test('masks every occurrence', () => {
    const text = `AccountKey=${KEY}; then again AccountKey=${KEY}`;
    expect(redactSecrets(text)).not.toContain(KEY);
  });
});

describe('safeUrl', () => {
  test('drops the query (where the SAS lives) and any user info', () => {
    expect(safeUrl(`https://user:pw@acct.blob.core.windows.net/c/p?sv=1&sig=${SIG}`)).toBe(
      'https://acct.blob.core.windows.net/c/p?<sas>',
    );
    expect(safeUrl('http://127.0.0.1:10000/devstoreaccount1/c')).toBe(
      'http://127.0.0.1:10000/devstoreaccount1/c',
    );
  });

  test('falls back to redaction for text that is not a URL', () => {
    expect(safeUrl(`not a url ?sig=${SIG}`)).toBe('not a url ?sig=***');
  });
});

test("firstLineOf keeps an error's first line only, with its secrets masked", () => {
  const error = new Error(
    'IO Error: cannot open https://a.blob.core.windows.net/c/x?sv=2024&sig=abc123%2B  \nLINE 1: select …\n        ^',
  );
  expect(firstLineOf(error)).toBe(
    'IO Error: cannot open https://a.blob.core.windows.net/c/x?sv=***&sig=***',
  );
  expect(firstLineOf('plain text\nmore')).toBe('plain text');
  expect(firstLineOf(undefined)).toBe('undefined');
});
