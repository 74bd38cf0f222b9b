import { CreateJobRequestSchema, type CreateJobRequest, type PermissionMode, type Repo } from '@flotilla/protocol';

/** What the new-job form holds, as typed. */
export interface NewJobForm {
  prompt: string;
  agent: string;
  model: string;
  /** A directory, or '' for the daemon's default (its user's home directory). */
  cwd: string;
  worktree: boolean;
  base: string;
  branch: string;
  permissions: PermissionMode;
  /** Comma-separated. */
  tags: string;
}

/** The directory choices besides the known repositories: the daemon's default (home) and free text. */
export const HOME = '';
export const OTHER = '\u0000other';

export const EMPTY_FORM: NewJobForm = { prompt: '', agent: '', model: '', cwd: '', worktree: false, base: '', branch: '', permissions: 'accept-edits', tags: '' };

/** Model names offered as suggestions (free text is accepted too). */
const MODEL_SUGGESTIONS: Record<string, readonly string[]> = { claude: ['sonnet', 'opus', 'haiku'] };

export function modelSuggestions(agent: string): readonly string[] {
  return MODEL_SUGGESTIONS[agent] ?? [];
}

export function parseTags(text: string): string[] {
  return [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))];
}

/** The agent chosen by default: claude when offered, else the first one. */
export function defaultAgent(agents: readonly string[]): string {
  return agents.includes('claude') ? 'claude' : (agents[0] ?? '');
}

/** The repository proposed first: the one with the most jobs. */
export function defaultRepo(repos: readonly Repo[]): string {
  return [...repos].sort((a, b) => b.jobs - a.jobs || a.root.localeCompare(b.root))[0]?.root ?? '';
}

export type Built = { ok: true; request: CreateJobRequest } | { ok: false; error: string };

/**
 * The request `cb "…"` would send for this form; empty fields are left out (the daemon's defaults
 * apply). Refuses, in words, what the daemon would refuse.
 */
export function buildRequest(form: NewJobForm, idempotencyKey?: string): Built {
  if (form.prompt.trim() === '') return { ok: false, error: 'Write a prompt first.' };
  if (form.permissions === 'bypass' && !form.worktree) {
    return { ok: false, error: 'Bypass permissions are only allowed in a worktree: tick “Own worktree” or choose accept-edits.' };
  }
  const tags = parseTags(form.tags);
  const request: CreateJobRequest = { prompt: form.prompt };
  if (form.agent) request.agent = form.agent;
  if (form.model.trim()) request.model = form.model.trim();
  if (form.cwd.trim()) request.cwd = form.cwd.trim();
  if (form.permissions !== 'accept-edits') request.permissions = form.permissions;
  if (form.worktree) {
    request.worktree = true;
    if (form.base.trim()) request.base = form.base.trim();
    if (form.branch.trim()) request.branch = form.branch.trim();
  }
  if (tags.length > 0) request.tags = tags;
  if (idempotencyKey) request.idempotencyKey = idempotencyKey;
  const parsed = CreateJobRequestSchema.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: issue ? `${issue.path.join('.') || 'request'}: ${issue.message}` : 'the request is not valid' };
  }
  return { ok: true, request };
}
