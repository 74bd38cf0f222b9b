/**
 * The script a worker thread of this package starts from: `<name>.js` beside the module that
 * starts it (both in `dist`). When that module is itself TypeScript — the package run from its
 * sources, which only vitest does — a worker thread would not go through vitest's transform, so
 * it starts through `test-support/source-worker.mjs`, which loads the `.ts` sources with module
 * hooks. Nothing falls back to running in-thread.
 *
 * @example
 * const { url, sourceEntry } = workerEntry(import.meta.url, 'parse-worker');
 * new Worker(url, { workerData: { ...data, sourceEntry } });
 */
export function workerEntry(starterUrl: string, name: string): { url: URL; sourceEntry?: string } {
  if (!starterUrl.endsWith('.ts')) return { url: new URL(`./${name}.js`, starterUrl) };
  return { url: new URL('./test-support/source-worker.mjs', import.meta.url), sourceEntry: new URL(`./${name}.ts`, starterUrl).href };
}
