// Tests only (vitest globalSetup): one scratch directory for the whole run, shared by the test
// files of every worker (`inject('meshRunScratch')`), removed when the run ends. What is made in it
// once for all files (e.g. the cb bundle, see ../bootstrap/shared-bundle.test-support.ts) is made
// lazily by the first file that needs it: a run that needs nothing pays nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

declare module 'vitest' {
  export interface ProvidedContext {
    meshRunScratch: string;
  }
}

export default function setup(project: { provide(key: 'meshRunScratch', value: string): void }): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-run-'));
  project.provide('meshRunScratch', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
