import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

function binOf(packageName: string, binName: string): string {
  const manifestPath = require.resolve(`${packageName}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    bin?: string | Record<string, string>;
  };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[binName];
  if (bin === undefined) throw new Error(`${packageName} declares no "${binName}" bin`);
  return join(dirname(manifestPath), bin);
}

/**
 * Absolute path of the real Claude Code binary (`@anthropic-ai/claude-code`'s native
 * `bin/claude.exe`), resolved from this package.
 */
export function claudeBin(): string {
  return binOf('@anthropic-ai/claude-code', 'claude');
}

/**
 * Absolute path of the real Codex launcher (`@openai/codex`'s `bin/codex.js`, an executable
 * node script that execs the native binary).
 */
export function codexBin(): string {
  return binOf('@openai/codex', 'codex');
}
