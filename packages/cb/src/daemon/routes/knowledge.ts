import { Hono } from 'hono';
import { KnowledgeReadQuerySchema, KnowledgeSearchQuerySchema, KnowledgeSymbolQuerySchema } from '@flotilla/protocol';
import type { DaemonContext } from '../context.js';
import { isInside, type Knowledge } from '../knowledge.js';
import { allJobs } from '../reports.js';
import { query } from './validate.js';

/**
 * `/api/knowledge`: codekb's read-only queries, present when codekb is installed. Every query is
 * validated by the protocol's schemas; a repository without an index is NOT_FOUND with the fix.
 */
export function knowledgeRoutes(ctx: DaemonContext, knowledge: Knowledge): Hono {
  const app = new Hono();
  app.get('/repos', async (c) => c.json(await knowledge.repos(await knownDirs(ctx))));
  app.get('/search', async (c) => c.json(await knowledge.search(query(c, KnowledgeSearchQuerySchema))));
  app.get('/definition', async (c) => c.json(await knowledge.definition(query(c, KnowledgeSymbolQuerySchema))));
  app.get('/references', async (c) => c.json(await knowledge.references(query(c, KnowledgeSymbolQuerySchema))));
  app.get('/read', async (c) => c.json(await knowledge.read(query(c, KnowledgeReadQuerySchema))));
  return app;
}

/**
 * The directories the daemon's work happened in: each job's repository (its worktree's source
 * repository, else its cwd) and each session's cwd. Cb's own worktrees are left out: their
 * repository is listed through the job.
 */
async function knownDirs(ctx: DaemonContext): Promise<string[]> {
  const [jobs, sessions] = await Promise.all([allJobs(ctx), ctx.sessions.list({ all: true })]);
  const dirs = [...jobs.map((job) => job.worktree?.repoRoot ?? job.cwd), ...sessions.map((session) => session.cwd)];
  return [...new Set(dirs)].filter((dir) => !isInside(dir, ctx.paths.worktreesDir));
}
