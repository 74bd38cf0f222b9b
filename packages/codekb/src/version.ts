import { readFileSync } from 'node:fs';

/** This package's version (from its package.json): for `--version` and the MCP server's name. */
export const CODEKB_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
