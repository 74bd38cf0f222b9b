import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@flotilla/testkit';
import type { DirectorConfig } from '../config/config-schema.js';
import { parseConfig, formatConfigIssue } from '../config/load-config.js';
import { createDirector, type Director } from '../cycle/director.js';
import type { DirectorHooks } from '../cycle/process-batch.js';
import type { RunJob, RunJobRequest, RunJobResult } from '../cycle/run-job.js';
import type { Ledger } from '../ledger/ledger.js';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import { createGitHubApi } from '../sources/github/github-api.js';
import { createGitHubIssuesSource } from '../sources/github/github-source.js';
import type { TicketSource } from '../sources/ticket-source.js';
import { startFakeGitHub, type FakeGitHub } from './fake-github.js';
import { makeRepoWithRemote, type RepoWithRemote } from './git-fixture.js';

export const TOKEN = 'ghp_director_test';

/**
 * A job runner that edits the worktree like an agent would (a file per ticket, left uncommitted)
 * and answers success, unless a scripted result is queued for the ticket.
 */
export interface ScriptedRunner {
  runJob: RunJob;
  calls: RunJobRequest[];
  /** Queue results for a ticket id (`acme/tickets#3`); each call takes the next one. */
  script(ticketId: string, results: RunJobResult[]): void;
}

export function scriptedRunner(): ScriptedRunner {
  const calls: RunJobRequest[] = [];
  const scripts = new Map<string, RunJobResult[]>();
  return {
    calls,
    script: (ticketId, results) => void scripts.set(ticketId, [...(scripts.get(ticketId) ?? []), ...results]),
    runJob: async (request) => {
      calls.push(request);
      const next = scripts.get(request.tickets[0]!.id)?.shift();
      if (next !== undefined && !next.ok) return next;
      const name = `${request.tickets.map((t) => t.id.replace(/[^A-Za-z0-9]+/g, '-')).join('_')}.txt`;
      await writeFile(join(request.worktreePath, name), `${request.model}\n${request.prompt.slice(0, 200)}\n`);
      return { ok: true, summary: 'edited one file' };
    },
  };
}

export interface GitHubWorld extends AsyncDisposable {
  tmp: TempDir;
  github: FakeGitHub;
  api: RepoWithRemote;
  config: DirectorConfig;
  ledgerPath: string;
  /** A director with its own ledger connection and its own GitHub source, as a second process would have. */
  director(id: string, runJob: RunJob, options?: { hooks?: DirectorHooks; now?: () => number }): Director;
}

/** A repo `api` (bare origin, pull requests on fake `acme/api`) and tickets from fake `acme/tickets`. */
export async function githubWorld(options: { perRepo?: number; attempts?: number } = {}): Promise<GitHubWorld> {
  const tmp = await makeTempDir('director-world-');
  const api = await makeRepoWithRemote(tmp.path, 'api');
  const github = await startFakeGitHub({ token: TOKEN });
  github.addRepo('acme/api', { remote: api.remote });
  github.addRepo('acme/tickets');
  const parsed = parseConfig(
    JSON.stringify({
      repos: [{ name: 'api', path: api.repo, base: 'main', github: 'acme/api' }],
      sources: { github: { repos: ['acme/tickets'] } },
      concurrency: { perRepo: options.perRepo ?? 2 },
      attempts: options.attempts ?? 3,
    }),
  );
  if (!parsed.ok) throw new Error(parsed.issues.map(formatConfigIssue).join('\n'));
  const config = parsed.config;
  const ledgerPath = join(tmp.path, 'state', 'ledger.db');
  const ledgers: Ledger[] = [];
  const dispose = async () => {
    for (const ledger of ledgers) await ledger.close();
    await github.close();
    await tmp[Symbol.asyncDispose]();
  };
  return {
    tmp,
    github,
    api,
    config,
    ledgerPath,
    director(id, runJob, options = {}) {
      const ledger = openSqliteLedger(ledgerPath);
      ledgers.push(ledger);
      const gh = createGitHubApi({ apiUrl: github.url, token: TOKEN });
      const sources: TicketSource[] = [createGitHubIssuesSource(gh, config.sources.github!)];
      return createDirector({ config, ledger, sources, runJob, github: gh, id, worktreesDir: join(tmp.path, 'worktrees', id), ...options });
    },
    [Symbol.asyncDispose]: dispose,
  };
}
