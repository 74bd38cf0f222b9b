import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * URL of a built module under `dist/`, for tests that run kit code in real child processes
 * (which cannot load TypeScript). `pnpm test` builds first; a missing file fails loudly.
 */
export function distModuleUrl(relative: string): string {
  const path = fileURLToPath(new URL(`../../dist/${relative}`, import.meta.url));
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`pnpm exec tsc -b\` in packages/kit before the tests`);
  return pathToFileURL(path).href;
}
