// Run as a child process by pull-kill.test.ts: a pull that reports each step on stdout so the
// parent can SIGKILL it at a chosen moment. argv: <source folder> <db> <batch blobs>.
import { pullFolder } from '../helpers/pull-folder.js';

const [source = '', dbPath = '', batch = '1'] = process.argv.slice(2);
let committed = 0;
let downloaded = 0;
await pullFolder(source, dbPath, {
  concurrency: 2,
  batch: { maxBlobs: Number(batch) },
  onProgress: (progress) => {
    if (progress.blobsDownloaded > downloaded) {
      downloaded = progress.blobsDownloaded;
      process.stdout.write(`downloaded ${downloaded}\n`);
    }
    if (progress.batchesCommitted > committed) {
      committed = progress.batchesCommitted;
      process.stdout.write(`committed ${committed}\n`);
    }
  },
});
process.stdout.write('done\n');
