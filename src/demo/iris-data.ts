import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

export const IRIS_FEATURES = [
  'sepal_length',
  'sepal_width',
  'petal_length',
  'petal_width',
] as const;
export type IrisFeature = (typeof IRIS_FEATURES)[number];
export type IrisRow = Record<IrisFeature, number>;
export interface LabelledIrisRow extends IrisRow {
  species: string;
}

/**
 * The iris data set (Fisher 1936, 150 rows) shipped in fixtures/iris.csv. Found by walking up from
 * this module so it works from the sources (tsx) and from dist/ alike.
 */
export function loadIris(): LabelledIrisRow[] {
  const text = readFileSync(findIrisCsv(), 'utf8');
  const records = parse(text, { columns: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
  return records.map((record) => ({
    sepal_length: Number(record.sepal_length),
    sepal_width: Number(record.sepal_width),
    petal_length: Number(record.petal_length),
    petal_width: Number(record.petal_width),
    species: String(record.species),
  }));
}

function findIrisCsv(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth += 1) {
    const candidate = join(folder, 'fixtures', 'iris.csv');
    if (existsSync(candidate)) {
      return candidate;
    }
    folder = dirname(folder);
  }
  throw new Error('fixtures/iris.csv not found next to the mdq package');
}
