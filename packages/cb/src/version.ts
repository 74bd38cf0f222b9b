import { readFileSync } from 'node:fs';

/** Written in by scripts/bundle-fast-path.mjs in the bundled fast path, which sits one folder deeper. */
declare const __CB_VERSION__: string | undefined;

/** This package's version, read once from its package.json (kept tiny: the CLI imports it on start-up). */
export const VERSION: string =
  typeof __CB_VERSION__ === 'string'
    ? __CB_VERSION__
    : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
