import { dirname } from 'node:path';
import { runCommandStep, type CommandResult } from '../flow/command-step.js';
import { runGit } from '../git/run-git.js';

/**
 * What the scout looks at before it asks an agent anything: each configured command's exit code and
 * the tail of its output (`command-step.ts` keeps the last 40 lines, 4,000 characters), and marker
 * comments (TODO, FIXME…) grouped into clusters by directory, each hit cited as `path:line`.
 */
export interface CommandEvidence {
  /** The gatherer's name in the config (`tests`, `lint`, `outdated`…). */
  name: string;
  command: string;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** The end of what it printed (stdout and stderr together). */
  tail: string;
}

export interface MarkerHit {
  path: string;
  line: number;
  marker: string;
  /** The line's text, trimmed and cut to 200 characters. */
  text: string;
}

export interface MarkerCluster {
  /** The directory the hits are in (`.` for the root). */
  directory: string;
  /** Every hit in it (the total, even when only some are cited). */
  count: number;
  /** Hits per file, most first. */
  files: Array<{ path: string; count: number }>;
  /** The cited hits (at most `MAX_CITED_PER_CLUSTER`). */
  hits: MarkerHit[];
}

export interface Evidence {
  commands: CommandEvidence[];
  markers: { total: number; clusters: MarkerCluster[]; clustersLeftOut: number; error: string | null };
}

export interface GatherInput {
  worktreePath: string;
  commands: Array<{ name: string; command: string; timeoutMinutes: number }>;
  /** Marker words to look for; empty: none. */
  markers: readonly string[];
}

/** At most this many clusters go to the agent, biggest first; the rest are counted. */
export const MAX_CLUSTERS = 10;
export const MAX_CITED_PER_CLUSTER = 8;
/** A repo with more hits than this is only read this far (the clusters say so through `total`). */
const MAX_HITS_READ = 5000;
const MAX_HIT_TEXT = 200;

/**
 * Runs the commands one after another (a test suite and a linter at once would fight over the CPU
 * and their timeouts), then finds the markers. Never throws for a command: a command that cannot
 * start is evidence too (exit null and the error in its tail).
 *
 * @example
 * const evidence = await gatherEvidence({ worktreePath, commands: [{ name: 'tests', command: 'pnpm test', timeoutMinutes: 10 }], markers: ['TODO', 'FIXME'] });
 */
export async function gatherEvidence(input: GatherInput): Promise<Evidence> {
  const commands: CommandEvidence[] = [];
  for (const gatherer of input.commands) {
    const result: CommandResult = await runCommandStep(input.worktreePath, gatherer.command, gatherer.timeoutMinutes * 60_000);
    commands.push({ name: gatherer.name, command: gatherer.command, exitCode: result.exitCode, timedOut: result.timedOut, durationMs: result.durationMs, tail: result.tail });
  }
  return { commands, markers: await findMarkers(input.worktreePath, input.markers) };
}

/** Marker comments in the tracked files (`git grep`: nothing ignored, nothing generated), clustered by directory. */
export async function findMarkers(worktreePath: string, markers: readonly string[]): Promise<Evidence['markers']> {
  if (markers.length === 0) return { total: 0, clusters: [], clustersLeftOut: 0, error: null };
  // -w rather than \b in the pattern: git's regex library differs by platform, whole-word matching does not.
  const grep = await runGit(worktreePath, ['grep', '-n', '-I', '-w', '--no-color', '-E', markers.join('|'), '--', '.']);
  // git grep exits 1 when nothing matched.
  if (grep.exitCode === 1 && grep.stdout === '') return { total: 0, clusters: [], clustersLeftOut: 0, error: null };
  if (grep.exitCode !== 0) return { total: 0, clusters: [], clustersLeftOut: 0, error: `git grep failed (exit ${grep.exitCode}): ${grep.stderr.trim().split('\n').slice(-2).join(' / ')}` };
  const markerOf = new RegExp(`\\b(${markers.join('|')})\\b`);
  const hits: MarkerHit[] = [];
  let total = 0;
  for (const line of grep.stdout.split('\n')) {
    const match = /^(.+?):(\d+):(.*)$/.exec(line);
    if (match === null) continue;
    total += 1;
    if (hits.length >= MAX_HITS_READ) continue;
    const text = match[3]!.trim();
    hits.push({ path: match[1]!, line: Number(match[2]), marker: markerOf.exec(text)?.[1] ?? markers[0]!, text: text.length > MAX_HIT_TEXT ? `${text.slice(0, MAX_HIT_TEXT - 1)}…` : text });
  }
  const clusters = clustersOf(hits);
  return { total, clusters: clusters.slice(0, MAX_CLUSTERS), clustersLeftOut: Math.max(0, clusters.length - MAX_CLUSTERS), error: null };
}

/** Hits grouped by their file's directory, biggest cluster first (then by name, so runs agree). */
export function clustersOf(hits: readonly MarkerHit[]): MarkerCluster[] {
  const byDirectory = new Map<string, MarkerHit[]>();
  for (const hit of hits) {
    const directory = dirname(hit.path);
    byDirectory.set(directory, [...(byDirectory.get(directory) ?? []), hit]);
  }
  return [...byDirectory.entries()]
    .map(([directory, list]): MarkerCluster => {
      const perFile = new Map<string, number>();
      for (const hit of list) perFile.set(hit.path, (perFile.get(hit.path) ?? 0) + 1);
      const files = [...perFile.entries()].map(([path, count]) => ({ path, count })).sort((a, b) => b.count - a.count || a.path.localeCompare(b.path));
      return { directory, count: list.length, files, hits: list.slice(0, MAX_CITED_PER_CLUSTER) };
    })
    .sort((a, b) => b.count - a.count || a.directory.localeCompare(b.directory));
}

/** Whether there is anything worth an agent's time: a marker, or a command that failed or timed out. */
export function hasFindings(evidence: Evidence): boolean {
  return evidence.markers.total > 0 || evidence.commands.some((c) => c.exitCode !== 0 || c.timedOut);
}

/** The evidence as the scout step reads it (markdown; every hit cited `path:line`). */
export function renderEvidence(evidence: Evidence): string {
  const parts: string[] = [];
  for (const c of evidence.commands) {
    const how = c.timedOut ? `timed out after ${(c.durationMs / 1000).toFixed(0)} s (killed)` : c.exitCode === null ? 'could not run' : `exit ${c.exitCode} after ${(c.durationMs / 1000).toFixed(1)} s`;
    parts.push(`### ${c.name}: \`${c.command}\` — ${how}\n\nCite this output as path \`command:${c.name}\` (line null).\n\n\`\`\`\n${c.tail === '' ? '(no output)' : c.tail}\n\`\`\``);
  }
  const { markers } = evidence;
  if (markers.error !== null) parts.push(`### Marker comments\n\nNot searched: ${markers.error}`);
  else if (markers.total === 0) parts.push('### Marker comments\n\nNone found.');
  else {
    const lines = [`### Marker comments: ${markers.total} in ${markers.clusters.length + markers.clustersLeftOut} director${markers.clusters.length + markers.clustersLeftOut === 1 ? 'y' : 'ies'}`];
    for (const cluster of markers.clusters) {
      lines.push('', `- \`${cluster.directory}/\` — ${cluster.count} (${cluster.files.map((f) => `${f.path} ×${f.count}`).join(', ')})`);
      for (const hit of cluster.hits) lines.push(`  - ${hit.path}:${hit.line}: ${hit.text}`);
      if (cluster.count > cluster.hits.length) lines.push(`  - …and ${cluster.count - cluster.hits.length} more`);
    }
    if (markers.clustersLeftOut > 0) lines.push('', `(${markers.clustersLeftOut} smaller clusters left out)`);
    parts.push(lines.join('\n'));
  }
  return parts.join('\n\n');
}
