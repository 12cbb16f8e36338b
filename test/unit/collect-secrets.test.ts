import { readdir, readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import { ModelDataCollector } from '../../src/collect/index.js';
import { makeTmpDir } from '../helpers/tmp.js';

/**
 * Account keys and SAS signatures never reach onError messages, stats or the spool, whether the
 * connection string comes from the options or from AML_MODEL_DC_STORAGE. Nothing listens on
 * 127.0.0.1:9, so every upload fails and every path that turns errors into text is taken.
 */

const KEY = 'S2V5VGhhdE11c3ROZXZlckxlYWtLZXlUaGF0TXVzdE5ldmVyTGVhaw==';
const SIG = 'SigThatMustNeverLeak0123456789abcdef%3D';
const ENDPOINT = 'http://127.0.0.1:9/devstoreaccount1';

const CONNECTION_STRINGS = {
  'account key': `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${KEY};BlobEndpoint=${ENDPOINT};`,
  'SAS token': `BlobEndpoint=${ENDPOINT};SharedAccessSignature=sv=2022-11-02&ss=b&srt=co&sp=rwac&se=2099-01-01T00:00:00Z&sig=${SIG}`,
};

for (const [kind, connectionString] of Object.entries(CONNECTION_STRINGS)) {
  for (const via of ['options', 'env'] as const) {
    test.concurrent(`${kind} via ${via}: no secret in errors, stats or spool`, async () => {
      const tmp = await makeTmpDir();
      try {
        const messages: string[] = [];
        const collector = new ModelDataCollector('model', {
          ...(via === 'options'
            ? { connectionString, env: {} }
            : {
                env: {
                  AML_MODEL_DC_STORAGE_ENABLED: 'true',
                  AML_MODEL_DC_STORAGE: connectionString,
                },
              }),
          spoolDir: `${tmp.path}/spool`,
          onError: (error) => {
            messages.push([error.message, error.hint, String(error.cause), error.stack].join('\n'));
          },
        });
        collector.collect([{ a: 1 }]);
        await collector.close();

        expect(collector.stats()).toMatchObject({ spooled: 1, written: 0, dropped: 0 });
        expect(messages.length).toBeGreaterThan(0);
        const spool = await Promise.all(
          (await readdir(`${tmp.path}/spool`)).map((name) =>
            readFile(`${tmp.path}/spool/${name}`, 'utf8'),
          ),
        );
        const everything = JSON.stringify({ messages, stats: collector.stats(), spool });
        expect(everything).not.toContain(KEY);
        expect(everything).not.toContain(SIG);
        expect(everything).not.toContain(SIG.slice(0, 12));
      } finally {
        await tmp.cleanup();
      }
    });
  }
}
