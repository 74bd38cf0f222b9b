/**
 * Module hooks that let a worker thread run this package's TypeScript sources (vitest runs the
 * tests from `src`, but a worker thread does not go through vitest's transform). Test-only: the
 * package ships compiled JS, and nothing in `dist` loads this file.
 *
 * - resolve: `./x.js` imported from a `.ts` file is `./x.ts` when only that exists (NodeNext style);
 * - load: `.ts` files are transpiled (types stripped, one file at a time) with the `typescript`
 *   devDependency, cached by content hash in the OS temp dir so later workers skip loading it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const CACHE_DIR = join(tmpdir(), 'codekb-ts-hooks');
let ts;

export async function resolve(specifier, context, nextResolve) {
  if (context.parentURL?.endsWith('.ts') && specifier.startsWith('.') && specifier.endsWith('.js')) {
    const url = new URL(specifier, context.parentURL);
    const tsUrl = new URL(`${url.href.slice(0, -3)}.ts`);
    if (!existsSync(url) && existsSync(tsUrl)) return { url: tsUrl.href, format: 'module', shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const source = readFileSync(path, 'utf8');
  const key = createHash('sha1').update('es2022-esnext\0').update(source).digest('hex');
  const cached = join(CACHE_DIR, `${key}.mjs`);
  if (existsSync(cached)) return { format: 'module', source: readFileSync(cached, 'utf8'), shortCircuit: true };
  ts ??= require('typescript');
  const { outputText } = ts.transpileModule(source, {
    fileName: path,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, sourceMap: false },
  });
  mkdirSync(CACHE_DIR, { recursive: true });
  const temp = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(temp, outputText);
  renameSync(temp, cached);
  return { format: 'module', source: outputText, shortCircuit: true };
}
