/**
 * A worker thread's entry when the package runs from its TypeScript sources (under vitest):
 * registers `ts-hooks.mjs`, then imports the real entry (`workerData.sourceEntry`, a `.ts` URL).
 */
import { register } from 'node:module';
import { workerData } from 'node:worker_threads';

register('./ts-hooks.mjs', import.meta.url);
await import(workerData.sourceEntry);
