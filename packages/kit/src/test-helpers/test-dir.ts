import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temp directory removed on dispose: `using dir = createTestDir('kit-fs-')`. Tests only. */
export function createTestDir(prefix: string): Disposable & { path: string; join(...parts: string[]): string } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    join: (...parts) => join(path, ...parts),
    [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }),
  };
}
