/**
 * In-page instruments, installed with `page.evaluate`. They read the live store the page exposes
 * for this purpose (`window.__flotilla.store`) and the DOM the person sees; times are `Date.now()`
 * in the page, the same machine clock as the daemon's event `at`.
 */

/**
 * Records every job event the store applies (`seenAt`) and, for each row `[data-job-id]` of the
 * jobs table, each time the `updatedAt` it shows (the Updated column's `<time datetime>`) changes:
 * `domAt` when the mutation was observed, `frameAt` at the next animation frame (about when it is
 * painted). Read back with `readJobProbe`.
 */
export async function installJobProbe(page) {
  await page.evaluate(() => {
    const probe = { events: [], dom: [] };
    window.__probe = probe;
    window.__flotilla.store.onEvent((event) => {
      if (event.type !== 'job.created' && event.type !== 'job.updated' && event.type !== 'job.ended') return;
      probe.events.push({ jobId: event.job.id, type: event.type, at: Date.parse(event.at), updatedAt: event.job.updatedAt, seenAt: Date.now() });
    });
    const shown = new Map();
    const readRow = (row, t, batch) => {
      const id = row.getAttribute('data-job-id');
      const updatedAt = row.querySelector('.jl-updated time')?.getAttribute('datetime') ?? null;
      if (!id || updatedAt === null || shown.get(id) === updatedAt) return;
      shown.set(id, updatedAt);
      const entry = { jobId: id, updatedAt, domAt: t, frameAt: null };
      probe.dom.push(entry);
      batch.push(entry);
    };
    new MutationObserver((records) => {
      const t = Date.now();
      const batch = [];
      const rows = new Set();
      for (const record of records) {
        const target = record.target.nodeType === 1 ? record.target : record.target.parentElement;
        const row = target?.closest?.('[data-job-id]');
        if (row) rows.add(row);
        for (const node of record.addedNodes) {
          if (node.nodeType !== 1) continue;
          if (node.matches('[data-job-id]')) rows.add(node);
          for (const inner of node.querySelectorAll('[data-job-id]')) rows.add(inner);
        }
      }
      for (const row of rows) readRow(row, t, batch);
      if (batch.length > 0) requestAnimationFrame(() => {
        const frameAt = Date.now();
        for (const entry of batch) entry.frameAt = frameAt;
      });
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['datetime'] });
  });
}

export async function readJobProbe(page) {
  return page.evaluate(() => window.__probe);
}

/**
 * Pairs each event with the first time its job's row showed that `updatedAt` or a later one (a
 * render that folded two events shows the later; the person then sees data at least as new).
 * Returns per event `{ type, at, seenAt, domAt, frameAt }`; events never shown are `missed`.
 */
export function matchEventsToDom(probe) {
  const domByJob = new Map();
  for (const entry of probe.dom) {
    const list = domByJob.get(entry.jobId) ?? [];
    list.push(entry);
    domByJob.set(entry.jobId, list);
  }
  const matched = [];
  let missed = 0;
  const lastUpdatedAt = new Map();
  for (const event of probe.events) {
    // An event that changed nothing the row shows (same updatedAt as the job's previous event) has no DOM update to wait for.
    if (lastUpdatedAt.get(event.jobId) === event.updatedAt) continue;
    lastUpdatedAt.set(event.jobId, event.updatedAt);
    const shown = (domByJob.get(event.jobId) ?? []).find((entry) => entry.updatedAt >= event.updatedAt && entry.domAt >= event.seenAt - 1);
    if (!shown) {
      missed += 1;
      continue;
    }
    matched.push({ type: event.type, at: event.at, seenAt: event.seenAt, domAt: shown.domAt, frameAt: shown.frameAt ?? shown.domAt });
  }
  return { matched, missed };
}

/** The page's JS heap after a forced GC, its DOM size and listeners (CDP), in one sample. */
export async function heapSample(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize, totalSize } = await cdp.send('Runtime.getHeapUsage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name) => metrics.find((m) => m.name === name)?.value ?? NaN;
  return { usedSize, totalSize, nodes: metric('Nodes'), listeners: metric('JSEventListeners'), documents: metric('Documents') };
}
