// The node-side entry: where the built page lives. `cb serve` and `mesh serve` find this package at
// run time (they never depend on it) and serve these files.
import { fileURLToPath } from 'node:url';

/** Absolute path of the built assets (`index.html`, `assets/…`, with `.gz` twins). */
export const assetsDir = fileURLToPath(new URL('./dist/', import.meta.url));
