import type { StreamPath } from '../layout/index.js';
import type { ResolvedCorrelation } from './correlation.js';
import { newCorrelationId } from './correlation-ids.js';
import { PeriodFolders } from './day-folders.js';
import { type Encoded, type Encoder, TargetCache } from './encoder.js';
import type { Rows } from './rows.js';
import { wholeSecondsUtc } from './timestamps.js';

/** Written as `agent` so archives show which emitter produced an event. */
export const V2_AGENT = 'mdq-collect/0.1.0';

export interface V2Identity {
  subscription: string;
  resourceGroup: string;
  workspace: string;
  modelVersion: string;
  /** 32 hex chars naming this collector's files (the sidecar's instance id). */
  instanceId: string;
}

/**
 * v2 (MDC) JSONL: one compact event per collect() under
 * `modelDataCollector/<endpoint>/<deployment>/<collection>/<yyyy>/<MM>/<dd>/<HH>/<instance><seq>.jsonl`,
 * with every field of formats.md §3. `data` is the records array (what pandas
 * `to_json(orient="records")` gives), `contentrange` its UTF-8 byte range, `time` the correlation
 * context's whole seconds (inputs and outputs of a request share it, and the hour folder).
 * `collectdatatype` keeps the DataFrame type name because that is the records shape Azure's
 * monitoring preprocessors expect.
 */
export class V2Encoder implements Encoder {
  readonly #folders: PeriodFolders;
  readonly #targets: TargetCache;
  /** Fixed JSON fragments, so each event is built by concatenation rather than a second stringify. */
  readonly #head: string;
  readonly #tail: string;

  constructor(stream: StreamPath, identity: V2Identity) {
    this.#folders = new PeriodFolders(stream, 'hour');
    this.#targets = new TargetCache(identity.instanceId, 'jsonl');
    const source =
      `/subscriptions/${identity.subscription}/resourceGroups/${identity.resourceGroup}` +
      `/providers/Microsoft.MachineLearningServices/workspaces/${identity.workspace}` +
      `/onlineEndpoints/${stream.service}/deployments/${stream.model}`;
    this.#head = `,"source":${JSON.stringify(source)},"type":${JSON.stringify(`azureml.inference.${stream.identifier}`)},"datacontenttype":"application/json"`;
    this.#tail = `,"modelversion":${JSON.stringify(identity.modelVersion)},"collectdatatype":"pandas.core.frame.DataFrame","agent":${JSON.stringify(V2_AGENT)}}`;
  }

  encode(rows: Rows, correlation: ResolvedCorrelation, _nowMs: number): Encoded {
    const { target, key } = this.#targets.get(this.#folders.folderFor(correlation.timeMs), '');
    const data = JSON.stringify(toRecords(rows));
    const size = Buffer.byteLength(data);
    const id = JSON.stringify(correlation.correlationId);
    const text =
      `{"specversion":"1.0","id":"${newCorrelationId()}"${this.#head}` +
      `,"time":"${wholeSecondsUtc(correlation.timeMs)}","data":${data}` +
      `,"contentrange":"bytes 0-${size - 1}/${size}","correlationid":${id},"xrequestid":${id}` +
      `${this.#tail}\n`;
    return { key, target, text };
  }
}

function toRecords(rows: Rows): Record<string, unknown>[] {
  const { columns, cells } = rows;
  return cells.map((row) => {
    const record: Record<string, unknown> = {};
    for (let c = 0; c < columns.length; c++) {
      const value = row[c];
      // pandas writes missing cells as null; JSON.stringify would drop an undefined key.
      record[columns[c] as string] = value === undefined ? null : value;
    }
    return record;
  });
}
