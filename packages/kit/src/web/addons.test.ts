import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findAddonBin } from './index.js';

const root = mkdtempSync(join(tmpdir(), 'kit-addons-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function installBeside(name: string, manifest: object, files: string[]): void {
  const dir = join(root, 'node_modules', name);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', ...manifest }));
  for (const file of files) writeFileSync(join(dir, file), '#!/usr/bin/env node\n');
}

describe('findAddonBin', () => {
  const from = pathToFileURL(join(root, 'server.js')).href;

  it('should find a named bin of a package installed beside the server', () => {
    installBeside('@acme/bot', { bin: { 'acme-bot': './bin/bot.cjs' } }, ['bin/bot.cjs']);
    expect(findAddonBin('@acme/bot', 'acme-bot', from)).toBe(join(root, 'node_modules', '@acme/bot', 'bin', 'bot.cjs'));
  });

  it('should be null for a missing package, a missing bin name, or a bin file that is not there', () => {
    installBeside('@acme/empty', { bin: { other: './bin/other.cjs' } }, []);
    expect(findAddonBin('@acme/absent', 'x', from)).toBeNull();
    expect(findAddonBin('@acme/bot', 'nope', from)).toBeNull();
    expect(findAddonBin('@acme/empty', 'other', from)).toBeNull();
  });
});
