/**
 * In-page instruments, installed with `page.evaluate`. They read the live store the page exposes
 * for this purpose (`window.__flotilla.store`) and the DOM the person sees; times are `Date.now()`
 * in the page, the same machine clock as the daemon's event `at`.
 */

/**
 * Records every job event the store applies (`seenAt`) and, for each row `[data-job-id]` of the
 * jobs table, each time the `updatedAt` it shows (the row's `data-updated-at`) changes:
 * `domAt` when the mutation was observed, `frameAt` at the next animation frame (about when it is
 * painted). Read back with `readJobProbe`.
 */
export async function installJobProbe(page) {
  await page.evaluate(() => {
    const probe = { events: [], dom: [], raw: [], longTasks: { count: 0, ms: 0 } };
    window.__probe = probe;
    // A second, bare stream in the same page: when the bytes arrived, before the client parses (zod) and the store applies.
    void (async () => {
      const res = await fetch('/api/events', { headers: { accept: 'text/event-stream' }, credentials: 'same-origin' });
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        const arrivedAt = Date.now();
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5)).join('\n');
          if (!data) continue;
          const event = JSON.parse(data);
          if (event.job?.id) probe.raw.push({ jobId: event.job.id, at: Date.parse(event.at), arrivedAt });
        }
      }
    })();
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        probe.longTasks.count += 1;
        probe.longTasks.ms += entry.duration;
      }
    }).observe({ type: 'longtask' });
    window.__flotilla.store.onEvent((event) => {
      if (event.type !== 'job.created' && event.type !== 'job.updated' && event.type !== 'job.ended') return;
      probe.events.push({ jobId: event.job.id, type: event.type, at: Date.parse(event.at), updatedAt: event.job.updatedAt, seenAt: Date.now() });
    });
    const shown = new Map();
    const readRow = (row, t, batch) => {
      const id = row.getAttribute('data-job-id');
      const updatedAt = row.getAttribute('data-updated-at');
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
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-updated-at'] });
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

/**
 * Samples the page's main thread for `ms` (CDP Profiler) and returns the functions with the most
 * self time: [{ name, where, selfMs, pct }]. Wall-clock samples: on a loaded host they also count
 * time the thread waited for a CPU, so read the shares, not the absolute figures.
 */
export async function profilePage(cdp, ms, top = 12) {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
  await cdp.send('Profiler.start');
  await new Promise((r) => setTimeout(r, ms));
  const { profile } = await cdp.send('Profiler.stop');
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  const deltas = profile.timeDeltas ?? [];
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    const file = frame.url ? frame.url.split('/').at(-1) : '';
    const key = `${frame.functionName || '(anonymous)'}\t${file}${frame.url ? `:${frame.lineNumber + 1}:${frame.columnNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0) || 1;
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, selfMs]) => ({ name: key.split('\t')[0], where: key.split('\t')[1], selfMs, pct: (100 * selfMs) / total }));
}
