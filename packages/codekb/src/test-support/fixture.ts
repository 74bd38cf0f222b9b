import { cpSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The fixture repository checked in beside the sources. */
export const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/sample', import.meta.url));

export interface TempRepo extends Disposable {
  /** A private copy of the fixture (plus ignored, binary and oversized files). */
  root: string;
  /** A scratch directory outside the copy, holding the index. */
  dir: string;
  dbPath: string;
}

/** Copies the fixture to a temp dir and adds the files a checkout would hold but never index. */
export function tempFixtureRepo(): TempRepo {
  const dir = mkdtempSync(join(tmpdir(), 'codekb-'));
  const root = join(dir, 'repo');
  cpSync(FIXTURE_DIR, root, { recursive: true });
  mkdirSync(join(root, 'build'));
  writeFileSync(join(root, 'build', 'ignored.ts'), 'export function ignoredFunction() {}\n');
  writeFileSync(join(root, 'debug.log'), 'needle in a haystack\n');
  writeFileSync(join(root, 'docs', 'blob.bin'), Buffer.from([0x6e, 0x65, 0x00, 0x01, 0x02, 0x6e, 0x65, 0x65]));
  writeFileSync(join(root, 'docs', 'huge.txt'), `${'needle in a haystack\n'.repeat(60_000)}`);
  return { root, dir, dbPath: join(dir, 'index.db'), [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}
