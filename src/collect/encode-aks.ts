import { AKS_GENERATED_COLUMNS } from '../layout/columns.js';
import type { StreamPath } from '../layout/index.js';
import type { ResolvedCorrelation } from './correlation.js';
import { CSV_EOL, csvField, csvLine } from './csv.js';
import { PeriodFolders } from './day-folders.js';
import { type Encoded, type Encoder, HeaderCache, TargetCache } from './encoder.js';
import type { Rows } from './rows.js';
import { pythonIsoformat } from './timestamps.js';

/** Day boundary in minutes: mdq writes day folders only. */
const DAY_BOUNDARY = '1440';

/**
 * AKS CSV: `<sub>/<rg>/<ws>/<service>/<model>/<version>/<designation>/<yyyy>/<MM>/<dd>/<designation>.csv`,
 * features then the eight `$aml_*` columns. The scoring timestamp and the day folder come from
 * the correlation context, so predictions land in their input's UTC day as `add_correlations`
 * made them do; the request id is the correlation id (the request the rows belong to).
 */
export class AksEncoder implements Encoder {
  readonly #folders: PeriodFolders;
  readonly #targets: TargetCache;
  readonly #headers = new HeaderCache((columns) => csvLine([...columns, ...AKS_GENERATED_COLUMNS]));
  /** `,<boundary>,<workspace>,<service>,<model>,<version>` : the same for every row. */
  readonly #fixedCells: string;

  constructor(stream: StreamPath) {
    this.#folders = new PeriodFolders(stream, 'day');
    this.#targets = new TargetCache(stream.identifier, 'csv');
    this.#fixedCells = [
      '',
      DAY_BOUNDARY,
      stream.root,
      stream.service,
      stream.model,
      stream.modelVersion,
    ]
      .map(csvField)
      .join(',');
  }

  encode(rows: Rows, correlation: ResolvedCorrelation, _nowMs: number): Encoded {
    const header = this.#headers.get(rows.columns);
    const { target, key } = this.#targets.get(this.#folders.folderFor(correlation.timeMs), header);
    const id = csvField(correlation.correlationId);
    const suffix = `${id},${pythonIsoformat(correlation.timeMs)}${this.#fixedCells},${id}${CSV_EOL}`;
    const width = rows.columns.length;
    let text = '';
    for (const row of rows.cells) {
      let line = '';
      for (let c = 0; c < width; c++) {
        line += `${csvField(row[c])},`;
      }
      text += line + suffix;
    }
    return { key, target, text };
  }
}
