#!/usr/bin/env node
import nodeModule from 'node:module';
import { restartWithHeapFlags } from './heap-flags.js';

// A pull runs under V8 heap flags that only apply at start-up: restart with them first
// (heap-flags.ts says why and what it measured). Never returns when it restarts.
restartWithHeapFlags();

// Node caches the compiled code of mdq and its dependencies on disk (under the OS temp folder):
// every later start-up compiles less (`mdq --version` 0.24-0.27 s -> 0.21-0.22 s, a no-op
// `mdq pull` of 3,000 blobs ~1.0 s -> ~0.88 s). It must be on before they load, hence the
// dynamic import; a cache that cannot be written is skipped silently by Node.
nodeModule.enableCompileCache?.();
await import('./process-main.js');
