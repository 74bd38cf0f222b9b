import { mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/**
 * A directory holding `claude` and `codex` links to the real CLIs, to put first on a PATH: the
 * agents' own package bins are named `claude.exe`/`codex.js`, but Flotilla runs them by name.
 */
export function agentBinDir(): string {
  const dir = join(tmpdir(), `flotilla-testkit-bin-${process.getuid?.() ?? 'user'}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, target] of [['claude', claudeBin()], ['codex', codexBin()]] as const) {
    const link = join(dir, name);
    try {
      if (readlinkSync(link) === target) continue;
      rmSync(link, { force: true });
    } catch {
      // no link yet
    }
    try {
      symlinkSync(target, link);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return dir;
}
