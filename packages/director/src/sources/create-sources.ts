import { hostname } from 'node:os';
import { createBoardClient, type Transport } from '@flotilla/protocol';
import type { DirectorConfig } from '../config/config-schema.js';
import { createBoardSource } from './board/board-source.js';
import { createGitHubApi, type GitHubApi } from './github/github-api.js';
import { createGitHubIssuesSource } from './github/github-source.js';
import { createLinearApi } from './linear/linear-api.js';
import { createLinearSource } from './linear/linear-source.js';
import type { TicketSource } from './ticket-source.js';

export interface CreateSourcesOptions {
  /** The hub's transport (`mesh serve`), for the board. */
  hub: Transport;
  /** Where tokens are read from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  host?: string;
}

export type CreateSourcesResult =
  | { ok: true; sources: TicketSource[]; github: GitHubApi | null }
  | { ok: false; problems: string[] };

/**
 * The configured sources (the board always; GitHub Issues and Linear when configured) and the
 * GitHub client for pull requests. A token a source needs but the environment lacks is a problem
 * reported up front, not a failure in the middle of the night.
 */
export function createSources(config: DirectorConfig, options: CreateSourcesOptions): CreateSourcesResult {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const sources: TicketSource[] = [createBoardSource(createBoardClient(options.hub), { ...config.sources.board, host: options.host ?? hostname() })];
  const needsGitHub = config.sources.github !== undefined || config.repos.some((repo) => repo.github !== undefined);
  const githubToken = env[config.github.tokenEnv];
  let github: GitHubApi | null = null;
  if (needsGitHub && (githubToken === undefined || githubToken === '')) {
    const users = [config.sources.github ? 'sources.github' : null, ...config.repos.filter((r) => r.github).map((r) => `repos "${r.name}" (pull requests)`)].filter(Boolean);
    problems.push(`${config.github.tokenEnv} is not set, but ${users.join(' and ')} need a GitHub token`);
  } else if (needsGitHub) {
    github = createGitHubApi({ apiUrl: config.github.apiUrl, token: githubToken!, ...(options.fetch ? { fetch: options.fetch } : {}) });
    if (config.sources.github) sources.push(createGitHubIssuesSource(github, config.sources.github));
  }
  const linear = config.sources.linear;
  if (linear !== undefined) {
    const token = env[linear.tokenEnv];
    if (token === undefined || token === '') problems.push(`${linear.tokenEnv} is not set, but sources.linear needs a Linear API key`);
    else sources.push(createLinearSource(createLinearApi({ apiUrl: linear.apiUrl, token, ...(options.fetch ? { fetch: options.fetch } : {}) }), linear));
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, sources, github };
}
