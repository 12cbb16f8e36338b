import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ModelDataCollector, type ModelDataCollectorOptions } from '../../src/collect/index.js';
import { AzureBlobStore } from '../../src/store/azure-store.js';
import type { BlobStore } from '../../src/store/blob-store.js';
import { LocalBlobStore } from '../../src/store/local-store.js';
import { type Azurite, startAzurite } from '../helpers/azurite.js';
import { makeTmpDir } from '../helpers/tmp.js';

/**
 * Rows collected → blobs at exactly the paths of formats.md → parsed back → the same rows, for
 * the three formats, against a local folder and against Azurite. Paths and headers are written
 * out literally here.
 */

const T_INPUT = Date.UTC(2024, 2, 5, 18, 16, 25, 123); // 2024-03-05T18:16:25.123Z
const T_LATE_INPUT = Date.UTC(2024, 2, 5, 23, 59, 59, 500);
const T_AFTER_MIDNIGHT = Date.UTC(2024, 2, 6, 0, 0, 0, 250);
const T_WHOLE_SECOND = Date.UTC(2024, 2, 5, 18, 16, 26, 0);

const IRIS_ROWS = [
  { 'sepal length': 5.1, 'sepal width': 3.5, 'petal length': 1.4, 'petal width': 0.2 },
  { 'sepal length': 6.7, 'sepal width': 3.1, 'petal length': 4.7, 'petal width': 1.5 },
];
/** Cells that need RFC 4180 quoting, and non-ASCII text. */
const TRICKY_ROWS = [
  { id: 1, note: 'plain' },
  { id: 2, note: 'comma, "quote" and\nnewline' },
  { id: 3, note: 'café ✓ 日本' },
];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Backend {
  name: string;
  setup(): Promise<{
    options: ModelDataCollectorOptions;
    reader: BlobStore;
    cleanup(): Promise<void>;
  }>;
}

let azurite: Azurite | undefined;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const backends: Backend[] = [
  {
    name: 'local folder',
    async setup() {
      const tmp = await makeTmpDir();
      const folder = `${tmp.path}/modeldata`;
      return {
        options: { folder, spoolDir: `${tmp.path}/spool` },
        reader: new LocalBlobStore(folder),
        cleanup: tmp.cleanup,
      };
    },
  },
  {
    name: 'azurite',
    async setup() {
      const tmp = await makeTmpDir();
      if (azurite === undefined) {
        throw new Error('azurite did not start');
      }
      const container = await azurite.createContainer('collect');
      return {
        options: {
          connectionString: azurite.connectionString,
          container,
          spoolDir: `${tmp.path}/spool`,
        },
        reader: AzureBlobStore.fromConnectionString(azurite.connectionString, container),
        cleanup: tmp.cleanup,
      };
    },
  },
];

async function listNames(store: BlobStore): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of store.list('')) {
    if (entry.kind === 'blob') {
      names.push(entry.name);
    }
  }
  return names.sort();
}

async function text(store: BlobStore, name: string): Promise<string> {
  return (await store.readBuffer(name)).toString('utf8');
}

function clockAt(times: number[]): () => number {
  let i = 0;
  return () => times[Math.min(i++, times.length - 1)] as number;
}

for (const backend of backends) {
  describe(`collector round trip: ${backend.name}`, () => {
    test('workbench: data.csv per identifier and day, $Timestamp/$CorrelationId/$RequestId first', async () => {
      const { options, reader, cleanup } = await backend.setup();
      const identity = {
        ...options,
        service: 'irisapp',
        subscription: 'sub1',
        resourceGroup: 'rg1',
        account: 'acct1',
        modelId: 'mid1',
        modelVersion: '3',
        clock: () => T_INPUT,
      };
      const inputs = new ModelDataCollector('model.pkl', { ...identity, identifier: 'inputs' });
      const predictions = new ModelDataCollector('model.pkl', {
        ...identity,
        identifier: 'prediction',
      });
      const notes = new ModelDataCollector('model.pkl', { ...identity, identifier: 'notes' });
      try {
        const ctx = inputs.collect(IRIS_ROWS);
        predictions.collect(['Iris-setosa', 'Iris-versicolor'], ctx);
        notes.collect(TRICKY_ROWS, { correlationId: 'my-own-id' });
        await Promise.all([inputs.close(), predictions.close(), notes.close()]);

        expect(ctx.correlationId).toMatch(UUID);
        expect(await listNames(reader)).toEqual([
          'sub1/rg1/acct1/irisapp/mid1-model.pkl-3/inputs/2024/03/05/data.csv',
          'sub1/rg1/acct1/irisapp/mid1-model.pkl-3/notes/2024/03/05/data.csv',
          'sub1/rg1/acct1/irisapp/mid1-model.pkl-3/prediction/2024/03/05/data.csv',
        ]);
        const id = ctx.correlationId;
        expect(
          await text(reader, 'sub1/rg1/acct1/irisapp/mid1-model.pkl-3/inputs/2024/03/05/data.csv'),
        ).toBe(
          '$Timestamp,$CorrelationId,$RequestId,sepal length,sepal width,petal length,petal width\r\n' +
            `2024-03-05T18:16:25.123000,,${id},5.1,3.5,1.4,0.2\r\n` +
            `2024-03-05T18:16:25.123000,,${id},6.7,3.1,4.7,1.5\r\n`,
        );
        expect(
          await text(
            reader,
            'sub1/rg1/acct1/irisapp/mid1-model.pkl-3/prediction/2024/03/05/data.csv',
          ),
        ).toBe(
          '$Timestamp,$CorrelationId,$RequestId,prediction\r\n' +
            `2024-03-05T18:16:25.123000,,${id},Iris-setosa\r\n` +
            `2024-03-05T18:16:25.123000,,${id},Iris-versicolor\r\n`,
        );
        const parsed = parse(
          await text(reader, 'sub1/rg1/acct1/irisapp/mid1-model.pkl-3/notes/2024/03/05/data.csv'),
          { columns: true },
        ) as Record<string, string>[];
        expect(parsed).toEqual(
          TRICKY_ROWS.map((row) => ({
            $Timestamp: '2024-03-05T18:16:25.123000',
            $CorrelationId: 'my-own-id',
            $RequestId: 'my-own-id',
            id: String(row.id),
            note: row.note,
          })),
        );
        expect(inputs.stats()).toMatchObject({ collected: 2, written: 2, dropped: 0, spooled: 0 });
      } finally {
        await cleanup();
      }
    });

    test('aks: <designation>.csv, features then the eight $aml_* columns, predictions in the input day', async () => {
      const { options, reader, cleanup } = await backend.setup();
      const identity = {
        ...options,
        format: 'aks' as const,
        service: 'irisapp',
        subscription: 'Sub1',
        resourceGroup: 'RG1',
        workspace: 'WS1',
        modelVersion: '7',
      };
      const inputs = new ModelDataCollector('iris', {
        ...identity,
        identifier: 'inputs',
        clock: () => T_LATE_INPUT,
      });
      const predictions = new ModelDataCollector('iris', {
        ...identity,
        identifier: 'predictions',
        clock: () => T_AFTER_MIDNIGHT,
      });
      try {
        const ctx = inputs.collect(IRIS_ROWS);
        predictions.collect([0, 1], ctx);
        await Promise.all([inputs.close(), predictions.close()]);

        expect(await listNames(reader)).toEqual([
          'sub1/rg1/ws1/irisapp/iris/7/inputs/2024/03/05/inputs.csv',
          'sub1/rg1/ws1/irisapp/iris/7/predictions/2024/03/05/predictions.csv',
        ]);
        const id = ctx.correlationId;
        const aml = `${id},2024-03-05T23:59:59.500000,1440,sub1/rg1/ws1,irisapp,iris,7,${id}`;
        expect(await text(reader, 'sub1/rg1/ws1/irisapp/iris/7/inputs/2024/03/05/inputs.csv')).toBe(
          'sepal length,sepal width,petal length,petal width,$aml_dc_correlation_id,$aml_dc_scoring_timestamp,$aml_dc_boundary,$aml_workspace,$aml_service_name,$aml_model_name,$aml_model_version,$aml_request_id\r\n' +
            `5.1,3.5,1.4,0.2,${aml}\r\n` +
            `6.7,3.1,4.7,1.5,${aml}\r\n`,
        );
        expect(
          await text(reader, 'sub1/rg1/ws1/irisapp/iris/7/predictions/2024/03/05/predictions.csv'),
        ).toBe(
          'prediction,$aml_dc_correlation_id,$aml_dc_scoring_timestamp,$aml_dc_boundary,$aml_workspace,$aml_service_name,$aml_model_name,$aml_model_version,$aml_request_id\r\n' +
            `0,${aml}\r\n` +
            `1,${aml}\r\n`,
        );
      } finally {
        await cleanup();
      }
    });

    test('v2: one JSONL event per collect() in the hour folder, every §3 field', async () => {
      const { options, reader, cleanup } = await backend.setup();
      const identity = {
        ...options,
        format: 'v2' as const,
        service: 'irisep',
        deployment: 'blue',
        subscription: 'sub1',
        resourceGroup: 'rg1',
        workspace: 'ws1',
      };
      const inputs = new ModelDataCollector('iris', {
        ...identity,
        identifier: 'model_inputs',
        clock: clockAt([T_INPUT, T_WHOLE_SECOND]),
      });
      const outputs = new ModelDataCollector('iris', {
        ...identity,
        identifier: 'model_outputs',
        featureNames: ['species'],
        clock: () => T_AFTER_MIDNIGHT,
      });
      try {
        const first = inputs.collect(IRIS_ROWS);
        outputs.collect(['setosa', 'versicolor'], first);
        const second = inputs.collect(TRICKY_ROWS, { correlationId: 'test' });
        await Promise.all([inputs.close(), outputs.close()]);

        const names = await listNames(reader);
        expect(names).toHaveLength(2);
        const [inputBlob, outputBlob] = names as [string, string];
        expect(inputBlob).toMatch(
          /^modelDataCollector\/irisep\/blue\/model_inputs\/2024\/03\/05\/18\/[0-9a-f]{32}000000\.jsonl$/,
        );
        expect(outputBlob).toMatch(
          /^modelDataCollector\/irisep\/blue\/model_outputs\/2024\/03\/05\/18\/[0-9a-f]{32}000000\.jsonl$/,
        );
        const inputText = await text(reader, inputBlob);
        const lines = inputText.split('\n');
        expect(lines).toHaveLength(3);
        expect(lines[2]).toBe('');
        const events = lines.slice(0, 2).map((line) => JSON.parse(line) as Record<string, unknown>);
        const source =
          '/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/workspaces/ws1/onlineEndpoints/irisep/deployments/blue';
        const expectEvent = (
          event: Record<string, unknown> | undefined,
          rows: unknown[],
          id: string,
          time: string,
          type: string,
        ) => {
          const size = Buffer.byteLength(JSON.stringify(rows));
          expect(event).toEqual({
            specversion: '1.0',
            id: expect.stringMatching(UUID),
            source,
            type,
            datacontenttype: 'application/json',
            time,
            data: rows,
            contentrange: `bytes 0-${size - 1}/${size}`,
            correlationid: id,
            xrequestid: id,
            modelversion: 'default',
            collectdatatype: 'pandas.core.frame.DataFrame',
            agent: expect.stringMatching(/^mdq-collect\//),
          });
        };
        expectEvent(
          events[0],
          IRIS_ROWS,
          first.correlationId,
          '2024-03-05T18:16:25Z',
          'azureml.inference.model_inputs',
        );
        expectEvent(
          events[1],
          TRICKY_ROWS,
          'test',
          '2024-03-05T18:16:26Z',
          'azureml.inference.model_inputs',
        );
        expect(second.correlationId).toBe('test');
        // The output shares the input's time and hour folder although collected after midnight.
        const outputEvents = (await text(reader, outputBlob))
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        expect(outputEvents).toHaveLength(1);
        expectEvent(
          outputEvents[0],
          [{ species: 'setosa' }, { species: 'versicolor' }],
          first.correlationId,
          '2024-03-05T18:16:25Z',
          'azureml.inference.model_outputs',
        );
      } finally {
        await cleanup();
      }
    });
  });
}
