/**
 * `manifest.json`, beside a bundle's tarballs: what was packed, and for which platform, CPU
 * architecture and Node ABI its native builds were made (the hub's own). Read back with zod, and
 * every tarball checked against its recorded size and sha256 before it leaves the hub.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { BootstrapError } from './bootstrap-errors.js';

export const MANIFEST_FILE = 'manifest.json';

/** A semver version (it becomes a directory name on the host). */
const VersionSchema = z.string().regex(/^[0-9A-Za-z.+-]+$/, 'not a version');

export const BundlePackageSchema = z.object({
  name: z.string().min(1),
  version: VersionSchema,
  /** The tarball's file name beside the manifest (npm pack's naming: `flotilla-cb-0.1.0.tgz`). */
  file: z.string().regex(/^[A-Za-z0-9._-]+\.tgz$/),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Native builds inside the tarball (`build/Release/*.node`, …), relative to the package. */
  native: z.array(z.string()),
});
export type BundlePackage = z.infer<typeof BundlePackageSchema>;

export const BundleManifestSchema = z.object({
  format: z.literal(1),
  createdAt: z.string(),
  /** The hub that packed it: native builds run only where these match. */
  hub: z.object({ platform: z.string(), arch: z.string(), modules: z.string(), node: z.string() }),
  /** The package whose `bin` is installed (`cb`). */
  root: z.object({ name: z.string(), version: VersionSchema }),
  packages: z.array(BundlePackageSchema).min(1),
});
export type BundleManifest = z.infer<typeof BundleManifestSchema>;

/** The hub's own platform, architecture and Node ABI, as the manifest records them. */
export function hubRuntime(): BundleManifest['hub'] {
  return { platform: process.platform, arch: process.arch, modules: process.versions.modules, node: process.version };
}

/** Whether any tarball holds a native build (then the host must match the hub's platform/arch/ABI). */
export function hasNative(manifest: BundleManifest): boolean {
  return manifest.packages.some((pkg) => pkg.native.length > 0);
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Reads and checks `dir/manifest.json` and every tarball it lists (present, same size and hash). */
export async function readBundle(dir: string): Promise<BundleManifest> {
  const path = join(dir, MANIFEST_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new BootstrapError('BUNDLE_INVALID', `cannot read the bundle manifest ${path}: ${(error as Error).message}`);
  }
  const parsed = BundleManifestSchema.safeParse(raw);
  if (!parsed.success) throw new BootstrapError('BUNDLE_INVALID', `${path} is not a bundle manifest: ${z.prettifyError(parsed.error)}`);
  const manifest = parsed.data;
  if (!manifest.packages.some((pkg) => pkg.name === manifest.root.name && pkg.version === manifest.root.version)) {
    throw new BootstrapError('BUNDLE_INVALID', `${path} lists no tarball of ${manifest.root.name}@${manifest.root.version}`);
  }
  for (const pkg of manifest.packages) {
    const file = join(dir, pkg.file);
    const size = await stat(file).then((s) => s.size, () => -1);
    if (size !== pkg.bytes) throw new BootstrapError('BUNDLE_INVALID', `${file} is ${size < 0 ? 'missing' : `${size} bytes, not the ${pkg.bytes} the manifest records`}`);
    if (sha256(await readFile(file)) !== pkg.sha256) throw new BootstrapError('BUNDLE_INVALID', `${file} does not match its sha256 in ${MANIFEST_FILE}`);
  }
  return manifest;
}
