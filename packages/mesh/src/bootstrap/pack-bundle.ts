/**
 * `packCbBundle`: the hub's own `cb` as npm-pack-layout tarballs (one per package, `package/…`)
 * plus `manifest.json`, so a host can `npm install --offline` it with no registry. Workspace
 * checkouts are packed with npm's own file selection (`npm pack --dry-run --json`, which honours
 * `files` and .npmignore) and `workspace:` specs rewritten to real versions, as `pnpm pack` does;
 * installed dependencies are packed from their installed directories, native builds
 * (`build/Release/*.node`) included so the host needs no compiler.
 */
import { execFile } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { BootstrapError, lastLines } from './bootstrap-errors.js';
import { MANIFEST_FILE, hubRuntime, sha256, type BundleManifest, type BundlePackage } from './bundle-manifest.js';
import { CB_PACKAGE, collectClosure, findPackageDir, locateCbDir, readPackageJson, type ClosurePackage, type PackageJson } from './package-closure.js';
import { tarGz, type TarEntry } from './tar-writer.js';

const run = promisify(execFile);
/** `npm pack --dry-run` reads the package's files only; a loaded 2-core machine needs ~10 s. */
const NPM_PACK_TIMEOUT_MS = 120_000;
/** Not needed to run: source maps, tsc's build info and compiled tests of our own packages. */
const SOURCE_EXCLUDE = /(\.map|(^|\/)\.tsbuildinfo|\.test\.(c|m)?js|\.test\.d\.(c|m)?ts)$/;

export interface PackCbBundleOptions {
  /** Where the tarballs and manifest.json go (created when missing). */
  outDir: string;
  /** The `@flotilla/cb` directory to pack (default: see `locateCbDir`). */
  cbDir?: string;
  /** For `FLOTILLA_CB_DIR` and the npm it runs (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  onProgress?: (line: string) => void;
}

export interface CbBundle {
  dir: string;
  manifest: BundleManifest;
  totalBytes: number;
}

/**
 * Packs `@flotilla/cb` and everything it needs at run time into `outDir`.
 * @example
 * const bundle = await packCbBundle({ outDir: '/tmp/cb-bundle' });
 * // bundle.manifest.packages: [{ name: '@flotilla/cb', version: '0.1.0', file: 'flotilla-cb-0.1.0.tgz', … }, …]
 */
export async function packCbBundle(options: PackCbBundleOptions): Promise<CbBundle> {
  const env = options.env ?? process.env;
  const cbDir = locateCbDir({ ...(options.cbDir === undefined ? {} : { explicit: options.cbDir }), env });
  const closure = collectClosure(cbDir);
  const root = closure[0];
  if (root === undefined || root.name !== CB_PACKAGE) throw new BootstrapError('CB_NOT_FOUND', `${cbDir} is not ${CB_PACKAGE}`);
  options.onProgress?.(`packing ${root.name}@${root.version} from ${cbDir} with ${closure.length - 1} dependencies`);
  await mkdir(options.outDir, { recursive: true });
  const versionOf = versionLookup(closure);
  const packages = await Promise.all(closure.map((pkg) => packOne(pkg, { outDir: options.outDir, env, versionOf })));
  const manifest: BundleManifest = {
    format: 1,
    createdAt: new Date().toISOString(),
    hub: hubRuntime(),
    root: { name: root.name, version: root.version },
    packages,
  };
  await writeFile(join(options.outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  const totalBytes = packages.reduce((sum, pkg) => sum + pkg.bytes, 0);
  const native = packages.filter((pkg) => pkg.native.length > 0).map((pkg) => `${pkg.name} (${pkg.native.join(', ')})`);
  options.onProgress?.(`packed ${packages.length} packages, ${formatBytes(totalBytes)}${native.length === 0 ? '' : `; native: ${native.join('; ')}`}`);
  return { dir: options.outDir, manifest, totalBytes };
}

interface PackContext {
  outDir: string;
  env: Readonly<Record<string, string | undefined>>;
  versionOf: (from: ClosurePackage, name: string) => string | null;
}

async function packOne(pkg: ClosurePackage, context: PackContext): Promise<BundlePackage> {
  const files = pkg.kind === 'source' ? await npmPackFiles(pkg.dir, context.env) : await installedFiles(pkg.dir);
  const entries: TarEntry[] = [];
  for (const file of files) {
    const data = file === 'package.json' ? Buffer.from(`${JSON.stringify(publishedJson(pkg, context.versionOf), null, 2)}\n`) : await readFile(join(pkg.dir, file));
    entries.push({ path: `package/${file}`, data, mode: (await lstat(join(pkg.dir, file))).mode });
  }
  const tarball = await tarGz(entries);
  const fileName = `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`;
  await writeFile(join(context.outDir, fileName), tarball);
  return { name: pkg.name, version: pkg.version, file: fileName, bytes: tarball.length, sha256: sha256(tarball), native: files.filter((file) => file.endsWith('.node')) };
}

const NpmPackJsonSchema = z.array(z.object({ files: z.array(z.object({ path: z.string() })) })).length(1);

/** The files `npm pack` would put in the tarball (its `files`, .npmignore and always-included rules), minus SOURCE_EXCLUDE. */
async function npmPackFiles(dir: string, env: Readonly<Record<string, string | undefined>>): Promise<string[]> {
  let stdout: string;
  try {
    ({ stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', '--loglevel=error'], { cwd: dir, env: { ...env }, timeout: NPM_PACK_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }));
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    throw new BootstrapError('PACK_FAILED', `npm pack --dry-run failed in ${dir}:\n${lastLines(stderr || message)}`);
  }
  const parsed = NpmPackJsonSchema.safeParse(JSON.parse(stdout.slice(stdout.indexOf('['))));
  if (!parsed.success) throw new BootstrapError('PACK_FAILED', `npm pack --dry-run in ${dir} printed an unexpected file list`);
  const files = parsed.data[0]!.files.map((file) => file.path).filter((path) => !SOURCE_EXCLUDE.test(path));
  requireBuilt(dir, files);
  return files.includes('package.json') ? files : ['package.json', ...files];
}

/** A checkout whose `files` names a directory with nothing in it (`dist` before a build) would install a cb that cannot start. */
function requireBuilt(dir: string, files: readonly string[]): void {
  const listed = readPackageJson(dir).files;
  if (!Array.isArray(listed)) return;
  for (const entry of listed) {
    if (typeof entry !== 'string' || /[*?[{!]/.test(entry)) continue;
    const path = entry.replace(/^\.\//, '').replace(/\/$/, '');
    if (!files.some((file) => file === path || file.startsWith(`${path}/`))) {
      throw new BootstrapError('PACK_FAILED', `${dir} lists "${entry}" in package.json "files" but has nothing there to pack: build it first (\`pnpm -r build\`)`);
    }
  }
}

/**
 * Every regular file of an installed package but nested node_modules (those are packages of
 * their own). In a node-gyp package only the built addons of `build/` are kept (`build/Release/*.node`);
 * the object files and makefiles beside them are the compiler's leftovers.
 */
async function installedFiles(dir: string): Promise<string[]> {
  const gyp = await lstat(join(dir, 'binding.gyp')).then(() => true, () => false);
  const files: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    for (const entry of await readdir(join(dir, relative), { withFileTypes: true })) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory() && entry.name !== 'node_modules') await walk(path);
      else if (entry.isFile() && (!gyp || !path.startsWith('build/') || /^build\/Release\/[^/]+\.node$/.test(path))) files.push(path);
    }
  };
  await walk('');
  return files.sort();
}

/** package.json as published: `workspace:` ranges made real (`workspace:^` → `^0.1.0`), devDependencies dropped. */
function publishedJson(pkg: ClosurePackage, versionOf: PackContext['versionOf']): PackageJson {
  const json: PackageJson = structuredClone(pkg.json);
  delete json.devDependencies;
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies'] as const) {
    const deps = json[field];
    if (deps === undefined) continue;
    for (const [name, spec] of Object.entries(deps)) {
      if (!spec.startsWith('workspace:')) continue;
      const range = spec.slice('workspace:'.length);
      const version = versionOf(pkg, name);
      if (version === null && !(field === 'peerDependencies' && pkg.json.peerDependenciesMeta?.[name]?.optional === true)) {
        throw new BootstrapError('PACK_FAILED', `${pkg.name} depends on ${name} (${spec}) but no workspace package of that name is installed beside it`);
      }
      deps[name] = version === null ? '*' : range === '^' || range === '~' ? `${range}${version}` : range === '*' || range === '' ? version : range;
    }
  }
  return json;
}

function versionLookup(closure: readonly ClosurePackage[]): PackContext['versionOf'] {
  const byName = new Map(closure.map((pkg) => [pkg.name, pkg.version]));
  return (from, name) => {
    const known = byName.get(name);
    if (known !== undefined) return known;
    const dir = findPackageDir(from.dir, name);
    return dir === null ? null : readPackageJson(dir).version;
  };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
