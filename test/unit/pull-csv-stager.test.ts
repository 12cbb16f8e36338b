import { expect, test } from 'vitest';
import { AKS_GENERATED_COLUMNS } from '../../src/layout/columns.js';
import type { LayoutKind } from '../../src/layout/types.js';
import { CsvStager } from '../../src/query/pull/csv-stager.js';

/** Feeds `input` in chunks of `size` bytes (to cross every boundary) and returns the staging. */
function stage(input: string | Buffer, size = 3, layout: LayoutKind = 'aks') {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const stager = new CsvStager(layout);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) {
    out.push(Buffer.from(stager.push(bytes.subarray(i, i + size))));
  }
  out.push(Buffer.from(stager.end()));
  return { text: Buffer.concat(out).toString('utf8'), ...stager.shape() };
}

test('CRLF header with LF rows, lone CR and blank lines become plain LF rows, header removed', () => {
  for (const size of [1, 2, 5, 1024]) {
    expect(stage('a,b\r\n1,2\n3,4\r\n\r\n5,6\r7,8', size)).toEqual({
      text: '0,0,0,1,2\n0,0,1,3,4\n0,0,2,5,6\n0,0,3,7,8\n',
      columns: ['a', 'b'],
      rows: 4,
      ragged: false,
    });
  }
});

test('quoted commas, doubled quotes and line breaks inside quotes are kept as written', () => {
  const input = 'name,note\n"a, b","say ""hi"""\n"multi\r\nline",x\n';
  for (const size of [1, 4, 100]) {
    expect(stage(input, size).text).toBe('0,0,0,"a, b","say ""hi"""\n0,0,1,"multi\r\nline",x\n');
  }
});

test('a BOM is dropped, UTF-8 is kept, a repeated header is dropped', () => {
  const input = Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from('nom,café\nà,1\nnom,café\né,2\n'),
  ]);
  expect(stage(input, 1)).toEqual({
    text: '0,0,0,à,1\n0,0,1,é,2\n',
    columns: ['nom', 'café'],
    rows: 2,
    ragged: false,
  });
});

test('0-byte and header-only blobs stage no rows', () => {
  expect(stage('')).toEqual({ text: '', columns: [], rows: 0, ragged: false });
  expect(stage('a,b\r\n')).toEqual({ text: '', columns: ['a', 'b'], rows: 0, ragged: false });
});

test('short rows are padded; a longer row marks the file ragged with extra positional columns', () => {
  expect(stage('a,b,c\n1\n1,2,3,4\n')).toEqual({
    text: '0,0,0,1,,\n0,0,1,1,2,3,4\n',
    columns: ['a', 'b', 'c', '3'],
    rows: 2,
    ragged: true,
  });
});

test('headerless files get positional names: Workbench generated columns, AKS $aml block', () => {
  expect(stage('2024-01-01T10:00:00.5,,r1,0,1\n', 7, 'workbench').columns).toEqual([
    '$Timestamp',
    '$CorrelationId',
    '$RequestId',
    '0',
    '1',
  ]);
  const aks = stage('5.1,3.5,c1,2024-01-01T10:00:00,1440,s/r/w,svc,m,1,0000\n', 7, 'aks');
  expect(aks.columns.slice(0, 3)).toEqual(['0', '1', '$aml_dc_correlation_id']);
  expect(aks.columns).toHaveLength(10);
  expect(stage('5,6\n', 7, 'aks').columns).toEqual(['0', '1']);
  expect(stage('5,6\n').text).toBe('0,0,0,5,6\n');
});

test('headerless: a longer line\'s extra values are named on from the values ("1"), not by position', () => {
  // Workbench: a one-value prediction line, then a numpy 1-D line of three values.
  const wb = stage(
    '2024-01-01T10:00:00.5,,r1,7\n2024-01-01T10:00:01.5,,r2,5,6,7\n',
    5,
    'workbench',
  );
  expect(wb.columns).toEqual(['$Timestamp', '$CorrelationId', '$RequestId', '0', '1', '2']);
  expect(wb.ragged).toBe(true);
});

test('headerless AKS lines of another width keep their generated fields in place', () => {
  const gen = (id: string) => `${id},2024-01-01T10:00:00,1440,s/r/w,svc,m,1,0000`;
  const input = `7,${gen('c1')}\n5,6,7,${gen('c2')}\n"a,b",${gen('c3')}\n${gen('c4')}\n`;
  for (const size of [3, 1000]) {
    const aks = stage(input, size, 'aks');
    expect(aks.columns).toEqual(['0', ...AKS_GENERATED_COLUMNS, '1', '2']);
    expect(aks.text).toBe(
      `0,0,0,7,${gen('c1')}\n0,0,0,5,${gen('c2')},6,7\n0,0,0,"a,b",${gen('c3')}\n0,0,0,,${gen('c4')}\n`,
    );
  }
});

test('each row carries its ordinal within its correlation key (AKS id; Workbench id or request)', () => {
  const aks = '$aml_dc_correlation_id,x\nc1,1\nc2,2\n"c1",3\n,4\n,5\n';
  expect(stage(aks).text).toBe('0,0,0,c1,1\n0,0,0,c2,2\n0,0,1,"c1",3\n0,0,0,,4\n0,0,1,,5\n');
  const wb = '$Timestamp,$CorrelationId,$RequestId\nt,,r1\nt,k,r1\nt,,r1\n';
  expect(new CsvStager('workbench', 7, 3).push(Buffer.from(wb)).toString()).toBe(
    '7,3,0,t,,r1\n7,3,0,t,k,r1\n7,3,1,t,,r1\n',
  );
});

test('duplicate, empty and system-colliding header names are made unique', () => {
  expect(stage('a,A,,_row\n1,2,3,4\n').columns).toEqual(['a', 'A_1', 'column2', 'data_row']);
});

test('unbalanced quotes and invalid UTF-8 are refused with a reason', () => {
  expect(() => stage('a,b\n1,"open\n')).toThrow('ends inside a quoted field');
  expect(() => stage(Buffer.from([0x61, 0x0a, 0xff, 0x0a]))).toThrow('not valid UTF-8');
});

test('the staging does not depend on where chunks start or end in memory (word-at-a-time scan)', () => {
  const rows = ['a,"b, c",$aml_dc_correlation_id,d'];
  for (let i = 0; i < 400; i += 1) {
    const quoted = i % 7 === 0 ? `"q ""${i}""\r\nnext, line"` : `plain${i}`;
    const end = i % 5 === 0 ? '\r\n' : i % 11 === 0 ? '\r' : '\n';
    rows.push(`${i * 1.5},${quoted},k${i % 13},é${'x'.repeat(i % 9)}${end}`);
  }
  const input = Buffer.from(rows.join('\n'), 'utf8');
  const whole = stage(input, input.length).text;
  expect(whole.split('\n').length).toBeGreaterThan(400);
  let seed = 7;
  for (let round = 0; round < 20; round += 1) {
    // Every chunk is copied to a random offset of a larger buffer: aligned and not.
    const stager = new CsvStager('aks');
    const out: Buffer[] = [];
    for (let at = 0; at < input.length; ) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const size = 1 + (seed % 97);
      const offset = seed % 4;
      const host = Buffer.alloc(size + 8);
      input.copy(host, offset, at, at + size);
      out.push(
        Buffer.from(stager.push(host.subarray(offset, offset + Math.min(size, input.length - at)))),
      );
      at += size;
    }
    out.push(Buffer.from(stager.end()));
    expect(Buffer.concat(out).toString('utf8')).toBe(whole);
  }
});

test('a last line without a line break loads only when whole; a lone header without one is refused (issue 14.8)', () => {
  // Whole (as many fields as the header): a file written without a final line break.
  expect(stage('a,b\n1,2').text).toBe('0,0,0,1,2\n');
  // Cut short: loading it would invent NULLs for the missing fields.
  expect(() => stage('a,b,c\n1,2,3\n4,5')).toThrow(
    'ends with a line cut short: 2 of 3 fields and no line break',
  );
  // A crash that left zeros at the end of a file is a line cut short, not a row.
  expect(() => stage(Buffer.concat([Buffer.from('a,b\n1,2\n'), Buffer.alloc(16)]))).toThrow(
    'cut short',
  );
  // One line with no line break: read as a header it gave "loaded, 0 rows".
  expect(() => stage('x'.repeat(1000), 64)).toThrow(
    'has one line of 1000 bytes and no line break: a header cut short, or not CSV',
  );
  // …while a headerless row without one is a row.
  expect(stage('c1,1,2', 64).rows).toBe(1);
});

test('a NUL byte inside a value is kept as written', () => {
  expect(stage('a,b\n1,x\u0000y\n').text).toBe('0,0,0,1,x\u0000y\n');
});

test('a line of more than a million fields is refused, not staged', () => {
  expect(() => stage('1,'.repeat(1_000_001), 1 << 20)).toThrow(
    'has a line of 1000002 fields (more than 1000000): not a table of rows',
  );
});
