import { WORKBENCH_GENERATED_COLUMNS } from '../layout/columns.js';
import type { StreamPath } from '../layout/index.js';
import type { ResolvedCorrelation } from './correlation.js';
import { CSV_EOL, csvField, csvLine } from './csv.js';
import { PeriodFolders } from './day-folders.js';
import { type Encoded, type Encoder, HeaderCache, TargetCache } from './encoder.js';
import type { Rows } from './rows.js';
import { pythonIsoformat } from './timestamps.js';

/**
 * Workbench CSV: `<…>/<identifier>/<yyyy>/<mm>/<dd>/data.csv`, columns
 * `$Timestamp,$CorrelationId,$RequestId` then the features. `$Timestamp` is this call's clock,
 * `$RequestId` the request's correlation id (always set, the join key), `$CorrelationId` the
 * caller's own id when there is one, else empty (as `user_correlation_id=""` wrote it).
 */
export class WorkbenchEncoder implements Encoder {
  readonly #folders: PeriodFolders;
  readonly #targets: TargetCache;
  readonly #headers = new HeaderCache((columns) =>
    csvLine([...WORKBENCH_GENERATED_COLUMNS, ...columns]),
  );

  constructor(stream: StreamPath) {
    this.#folders = new PeriodFolders(stream, 'day');
    this.#targets = new TargetCache('data', 'csv');
  }

  encode(rows: Rows, correlation: ResolvedCorrelation, nowMs: number): Encoded {
    const header = this.#headers.get(rows.columns);
    const { target, key } = this.#targets.get(this.#folders.folderFor(nowMs), header);
    const id = csvField(correlation.correlationId);
    const prefix = `${pythonIsoformat(nowMs)},${correlation.userProvided ? id : ''},${id}`;
    const width = rows.columns.length;
    let text = '';
    for (const row of rows.cells) {
      let line = prefix;
      for (let c = 0; c < width; c++) {
        line += `,${csvField(row[c])}`;
      }
      text += line + CSV_EOL;
    }
    return { key, target, text };
  }
}
