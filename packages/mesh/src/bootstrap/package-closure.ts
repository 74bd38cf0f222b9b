/**
 * Which packages make up the hub's own `cb`: finds `@flotilla/cb` and walks its production
 * dependencies the way node resolves them (each from its dependent's real directory, up through
 * `node_modules` directories), so pnpm's store layout and npm's hoisted one both work.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { BootstrapError } from './bootstrap-errors.js';

export const CB_PACKAGE = '@flotilla/cb';

/** The parts of a package.json the walk reads (the rest is kept as it is when packing). */
const PackageJsonSchema = z.looseObject({
  name: z.string().min(1),
  version: z.string().min(1),
  dependencies: z.record(z.string(), z.string()).optional(),
  optionalDependencies: z.record(z.string(), z.string()).optional(),
  peerDependencies: z.record(z.string(), z.string()).optional(),
  peerDependenciesMeta: z.record(z.string(), z.looseObject({ optional: z.boolean().optional() })).optional(),
});
export type PackageJson = z.infer<typeof PackageJsonSchema>;

export interface ClosurePackage {
  name: string;
  version: string;
  /** Its real directory on the hub. */
  dir: string;
  /** `source`: a workspace checkout (packed with npm's file selection); `installed`: a dir under node_modules. */
  kind: 'source' | 'installed';
  json: PackageJson;
}

export function readPackageJson(dir: string): PackageJson {
  const path = join(dir, 'package.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new BootstrapError('PACK_FAILED', `cannot read ${path}: ${(error as Error).message}`);
  }
  const parsed = PackageJsonSchema.safeParse(raw);
  if (!parsed.success) throw new BootstrapError('PACK_FAILED', `${path} is not a usable package.json: ${z.prettifyError(parsed.error)}`);
  // Checked; the raw object keeps its key order for the packed copy.
  return raw as PackageJson;
}

/**
 * The directory of the hub's `@flotilla/cb`: `explicit`, else `$FLOTILLA_CB_DIR`, else what node
 * resolves from here, else the monorepo sibling of this package (`packages/cb`).
 */
export function locateCbDir(options: { explicit?: string; env?: Readonly<Record<string, string | undefined>> } = {}): string {
  const tried: string[] = [];
  const candidates = [options.explicit, options.env?.FLOTILLA_CB_DIR, resolvedCbDir(), siblingCbDir()];
  for (const candidate of candidates) {
    if (candidate === undefined || candidate === '') continue;
    const dir = resolve(candidate);
    tried.push(dir);
    if (isPackageNamed(dir, CB_PACKAGE)) return realpathSync(dir);
  }
  throw new BootstrapError(
    'CB_NOT_FOUND',
    `cannot find the hub's own ${CB_PACKAGE} to pack (looked in: ${tried.join(', ') || 'nowhere'})`,
  );
}

function resolvedCbDir(): string | undefined {
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve(`${CB_PACKAGE}/package.json`));
  } catch {
    // not a dependency of mesh, or its exports hide package.json: find it by walking up instead
    return findPackageDir(dirname(fileURLToPath(import.meta.url)), CB_PACKAGE) ?? undefined;
  }
}

function siblingCbDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (isPackageNamed(dir, '@flotilla/mesh')) return join(dir, '..', 'cb');
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function isPackageNamed(dir: string, name: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === name;
  } catch {
    return false;
  }
}

/** Where node would find package `name` from `fromDir` (its real path), or null. */
export function findPackageDir(fromDir: string, name: string): string | null {
  let dir = fromDir;
  for (;;) {
    if (!dir.endsWith(`${sep}node_modules`)) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/**
 * Every package `@flotilla/cb` needs at run time, cb first: `dependencies`, the installed
 * `optionalDependencies` and the non-optional `peerDependencies`, deduplicated by name@version.
 * Two versions of one name cannot both be installed from loose tarballs, so that is refused.
 */
export function collectClosure(cbDir: string): ClosurePackage[] {
  const byKey = new Map<string, ClosurePackage>();
  const byName = new Map<string, ClosurePackage>();
  const queue: Array<{ dir: string; from: string }> = [{ dir: realpathSync(cbDir), from: 'the hub' }];
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
    const json = readPackageJson(item.dir);
    const key = `${json.name}@${json.version}`;
    if (byKey.has(key)) continue;
    const other = byName.get(json.name);
    if (other !== undefined) {
      throw new BootstrapError('PACK_FAILED', `cb needs two versions of ${json.name} (${other.version} in ${other.dir} and ${json.version} in ${item.dir}, for ${item.from}); npm cannot install both from loose tarballs — align the versions on the hub`);
    }
    const pkg: ClosurePackage = { name: json.name, version: json.version, dir: item.dir, kind: item.dir.split(sep).includes('node_modules') ? 'installed' : 'source', json };
    byKey.set(key, pkg);
    byName.set(json.name, pkg);
    for (const dep of runtimeDependencies(json)) {
      const found = findPackageDir(item.dir, dep.name);
      if (found !== null) queue.push({ dir: found, from: key });
      else if (!dep.optional) throw new BootstrapError('PACK_FAILED', `${key} needs ${dep.name} (${dep.range}) but it is not installed on the hub (looked up from ${item.dir}); run \`pnpm install\` or \`npm install\` there first`);
    }
  }
  return [...byKey.values()];
}

function runtimeDependencies(json: PackageJson): Array<{ name: string; range: string; optional: boolean }> {
  const deps = Object.entries(json.dependencies ?? {}).map(([name, range]) => ({ name, range, optional: false }));
  const optional = Object.entries(json.optionalDependencies ?? {}).map(([name, range]) => ({ name, range, optional: true }));
  const peers = Object.entries(json.peerDependencies ?? {})
    .filter(([name]) => json.peerDependenciesMeta?.[name]?.optional !== true)
    .map(([name, range]) => ({ name, range, optional: false }));
  const seen = new Set<string>();
  return [...deps, ...optional, ...peers].filter((dep) => (seen.has(dep.name) ? false : (seen.add(dep.name), true)));
}
