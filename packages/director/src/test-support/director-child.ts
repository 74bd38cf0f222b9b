/**
 * A director in its own process, for tests that kill it mid-way: runs one cycle over the GitHub
 * world described by the JSON in argv[2] and prints the report. Run with `node --import tsx`.
 */
import { parseConfig } from '../config/load-config.js';
import { createDirector } from '../cycle/director.js';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import { createGitHubApi } from '../sources/github/github-api.js';
import { createGitHubIssuesSource } from '../sources/github/github-source.js';
import { scriptedRunner } from './director-fixture.js';

interface ChildWorld {
  apiUrl: string;
  token: string;
  ledgerPath: string;
  repoPath: string;
  worktreesDir: string;
  id: string;
}

const world = JSON.parse(process.argv[2] ?? '{}') as ChildWorld;
const parsed = parseConfig(JSON.stringify({ repos: [{ name: 'api', path: world.repoPath, base: 'main', github: 'acme/api' }], sources: { github: { repos: ['acme/tickets'] } } }));
if (!parsed.ok) throw new Error('bad config');
const ledger = openSqliteLedger(world.ledgerPath);
const github = createGitHubApi({ apiUrl: world.apiUrl, token: world.token });
const director = createDirector({
  config: parsed.config,
  ledger,
  sources: [createGitHubIssuesSource(github, parsed.config.sources.github!)],
  runJob: scriptedRunner().runJob,
  github,
  id: world.id,
  worktreesDir: world.worktreesDir,
});
process.stdout.write(`${JSON.stringify(await director.runCycle())}\n`);
await ledger.close();
