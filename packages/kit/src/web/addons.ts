/**
 * Optional packages a server (`cb`, `mesh`) uses when they are installed beside it, found at run
 * time: a server never depends on its consumers (design §2). Each is imported once; a missing one is simply absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import createDebug from 'debug';

const debug = createDebug('flotilla:addons');

/**
 * Loads `name` as the module at `from` would find it (pass your `import.meta.url`: the add-on is
 * installed beside the server, not beside kit); null when it is not installed or fails to load.
 */
export async function loadAddon<T>(name: string, from: string): Promise<T | null> {
  try {
    const path = createRequire(from).resolve(name);
    return (await import(/* @vite-ignore */ pathToFileURL(path).href)) as T;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') debug('%s is installed but failed to load: %O', name, error);
    return null;
  }
}

/**
 * Where the dashboard's built page is: `FLOTILLA_DASHBOARD_DIR` (a directory holding index.html),
 * else `@flotilla/dashboard` as installed beside `from` (the server's module URL). Null when neither has an index.html.
 */
export async function findDashboardAssets(from: string, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const fromEnv = env.FLOTILLA_DASHBOARD_DIR;
  if (fromEnv) return existsSync(join(fromEnv, 'index.html')) ? fromEnv : null;
  const mod = await loadAddon<{ assetsDir?: string }>('@flotilla/dashboard', from);
  const dir = mod?.assetsDir;
  return dir && existsSync(join(dir, 'index.html')) ? dir : null;
}

/**
 * The path of `bin` (a name from the package's `bin` map) of the optional package `name`, as
 * installed beside `from` (the server's module URL); null when the package or its bin is absent.
 */
export function findAddonBin(name: string, bin: string, from: string): string | null {
  try {
    const manifestPath = createRequire(from).resolve(`${name}/package.json`);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: string | Record<string, string> };
    const relative = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[bin];
    if (!relative) return null;
    const path = join(dirname(manifestPath), relative);
    return existsSync(path) ? path : null;
  } catch (error) {
    debug('%s is not installed: %s', name, (error as Error).message);
    return null;
  }
}
