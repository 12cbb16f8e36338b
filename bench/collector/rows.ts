import { join } from 'node:path';
import { ModelDataCollector, type ModelDataCollectorOptions } from '../../src/collect/index.js';

export interface IrisRow {
  sepal_length: number;
  sepal_width: number;
  petal_length: number;
  petal_width: number;
}

/** 1,024 distinct 4-feature rows, made before timing so the loop measures collect() only. */
export function irisRows(): IrisRow[] {
  const rows: IrisRow[] = [];
  for (let i = 0; i < 1024; i++) {
    rows.push({
      sepal_length: Math.round(Math.random() * 800) / 100,
      sepal_width: Math.round(Math.random() * 800) / 100,
      petal_length: Math.round(Math.random() * 800) / 100,
      petal_width: Math.round(Math.random() * 800) / 100,
    });
  }
  return rows;
}

/** The plain-`fs` baseline's encoding: the four values, comma-separated, one line. */
export function plainCsvLine(row: IrisRow): string {
  return `${row.sepal_length},${row.sepal_width},${row.petal_length},${row.petal_width}\n`;
}

/**
 * An AKS-format `inputs` collector with default batching, its spool inside `work`, and an
 * empty environment (no AML_MODEL_DC_* from the shell leaks into the bench).
 */
export function benchCollector(
  work: string,
  destination: Pick<ModelDataCollectorOptions, 'folder' | 'connectionString' | 'container'>,
  errors: string[],
): ModelDataCollector {
  return new ModelDataCollector('iris', {
    format: 'aks',
    identifier: 'inputs',
    service: 'irisapp',
    spoolDir: join(work, 'spool'),
    env: {},
    onError: (error) => errors.push(error.message),
    ...destination,
  });
}
