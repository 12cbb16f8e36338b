import { Box, render, Text } from 'ink';
import type { PullProgress } from '../../src/query/pull/index.js';
import { count, thousands } from './counts.js';
import { formatBytes, formatEta, loadedText, MIGRATING, rateAndEta } from './progress-lines.js';

const BAR_WIDTH = 30;

function bar(done: number, total: number): string {
  const filled = total > 0 ? Math.round((Math.min(done, total) / total) * BAR_WIDTH) : 0;
  return `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
}

/** The terminal view of a pull: listing, downloads and loads with bars, rate and ETA. */
export function PullProgressView({ progress }: { progress: PullProgress }) {
  if (progress.phase === 'migrating') {
    return <Text>{MIGRATING}</Text>;
  }
  if (progress.phase === 'listing') {
    return (
      <Text>
        listing… {count(progress.blobsListed, 'blob')}, {thousands(progress.blobsDownloaded)}{' '}
        downloaded ({formatBytes(progress.bytesDownloaded)})
      </Text>
    );
  }
  const { rate, etaSeconds } = rateAndEta(progress);
  return (
    <Box flexDirection="column">
      <Text>
        {count(progress.blobsListed, 'blob')} listed, {thousands(progress.blobsSkipped)} unchanged
      </Text>
      <Text>
        download {bar(progress.bytesDownloaded, progress.bytesToLoad)}{' '}
        {thousands(progress.blobsDownloaded)}/{count(progress.blobsToLoad, 'blob')},{' '}
        {formatBytes(progress.bytesDownloaded)}/{formatBytes(progress.bytesToLoad)}
      </Text>
      <Text>
        load {bar(progress.blobsLoaded + progress.quarantined, progress.blobsToLoad)}{' '}
        {loadedText(progress)}
      </Text>
      <Text dimColor>
        {formatBytes(rate)}/s
        {etaSeconds === undefined ? '' : `, ETA ${formatEta(etaSeconds)}`}
      </Text>
    </Box>
  );
}

export interface InkProgress {
  update(progress: PullProgress): void;
  /** Leaves the last frame on screen and releases the terminal. */
  done(): void;
}

/** Renders the view on stderr (a TTY): stdout stays for data only. */
export function startInkProgress(stderr: NodeJS.WriteStream): InkProgress {
  let latest: PullProgress | undefined;
  let instance: ReturnType<typeof render> | undefined;
  return {
    update(progress) {
      latest = progress;
      if (instance) {
        instance.rerender(<PullProgressView progress={progress} />);
      } else {
        instance = render(<PullProgressView progress={progress} />, {
          stdout: stderr,
          patchConsole: false,
          exitOnCtrlC: false,
        });
      }
    },
    done() {
      if (instance && latest) {
        instance.rerender(<PullProgressView progress={latest} />);
      }
      instance?.unmount();
    },
  };
}
