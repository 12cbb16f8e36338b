import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { BlobServiceClient } from '@azure/storage-blob';

const require = createRequire(import.meta.url);

/** Azurite's well-known development account (public, documented emulator key). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  /** e.g. http://127.0.0.1:41234/devstoreaccount1 */
  blobEndpoint: string;
  port: number;
  /** The Azurite process, so a benchmark can charge its CPU to the work it serves. */
  pid: number;
  connectionString: string;
  /** Creates a container with a fresh unique name and returns its name. */
  createContainer(prefix?: string): Promise<string>;
  stop(): Promise<void>;
}

export interface StartAzuriteOptions {
  /** Fixed port (for restart tests); default 0 = a free port. */
  port?: number;
  /** Persist to this folder instead of memory (so a restart keeps the data). */
  location?: string;
}

const LISTENING = /listens on (http:\/\/127\.0\.0\.1:(\d+))/;

/**
 * Starts the real Azurite blob service as a child process on a free loopback port and resolves
 * once it prints its "listens on" line (never a sleep). Flags per tooling-notes §3.
 */
export async function startAzurite(options: StartAzuriteOptions = {}): Promise<Azurite> {
  const main = require.resolve('azurite/dist/src/blob/main.js');
  const args = [
    main,
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    String(options.port ?? 0),
    '--skipApiVersionCheck',
    '--loose',
    '--disableTelemetry',
    ...(options.location ? ['--location', options.location] : ['--inMemoryPersistence']),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await waitForListening(child);
  const blobEndpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${blobEndpoint};`;
  const service = BlobServiceClient.fromConnectionString(connectionString);
  return {
    blobEndpoint,
    port,
    pid: child.pid as number,
    connectionString,
    async createContainer(prefix = 'c') {
      const name = `${prefix}-${randomBytes(6).toString('hex')}`.toLowerCase();
      await service.getContainerClient(name).create();
      return name;
    },
    stop: () => stopChild(child),
  };
}

function waitForListening(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = LISTENING.exec(output);
      if (match) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(Number(match[2]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) =>
      reject(new Error(`azurite exited (${code}) before listening: ${output}`)),
    );
    child.once('error', reject);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
