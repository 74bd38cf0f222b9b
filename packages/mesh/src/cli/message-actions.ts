/** What `mesh msg`, `mesh channel` and `mesh profile` do, over the protocol's mesh client. */
import type { AgentProfile, MeshClient, Message } from '@flotilla/protocol';
import { printJson, printLine, type OutputStream } from './context.js';

export interface MessageCommandContext {
  mesh: MeshClient;
  out: OutputStream;
  json: boolean;
}

/** How often `mesh channel -f` asks for new posts. */
export const FOLLOW_POLL_MS = 1_000;
/** How many posts `mesh channel` shows. */
const RECENT_POSTS = 20;

function deliverySummary(message: Message): string {
  if (message.deliveries.length === 0) return message.to.startsWith('@') ? `nobody holds ${message.to}: stored, delivered to nobody` : 'no deliveries';
  return message.deliveries.map((d) => `${d.session}${d.host ? `@${d.host}` : ''} ${d.state}`).join(', ');
}

/** `#12 14:03:11 api-1@linux: text`, one line per line of text. */
export function formatPost(message: Message): string {
  const from = `${message.from}${message.fromHost ? `@${message.fromHost}` : ''}`;
  const [first, ...rest] = message.text.split('\n');
  return [`#${message.seq} ${message.createdAt.slice(11, 19)} ${from}: ${first}`, ...rest.map((line) => `    ${line}`)].join('\n');
}

export async function sendMessage(ctx: MessageCommandContext, to: string, text: string): Promise<Message> {
  const message = await ctx.mesh.sendMessage({ to, text });
  if (ctx.json) printJson(ctx.out, message);
  else printLine(ctx.out, `sent to ${to} (${deliverySummary(message)})`);
  return message;
}

export async function showChannel(ctx: MessageCommandContext): Promise<Message[]> {
  const posts = await ctx.mesh.channel({ limit: RECENT_POSTS });
  if (ctx.json) printJson(ctx.out, posts);
  else if (posts.length === 0) printLine(ctx.out, 'the channel is empty (post with `mesh channel post "text"`)');
  else for (const post of posts) printLine(ctx.out, formatPost(post));
  return posts;
}

export async function postToChannel(ctx: MessageCommandContext, text: string): Promise<Message> {
  const message = await ctx.mesh.postToChannel({ text });
  if (ctx.json) printJson(ctx.out, message);
  else printLine(ctx.out, `posted #${message.seq}${message.mentions.length ? ` (${deliverySummary(message)})` : ''}`);
  return message;
}

/**
 * Prints the recent posts, then every new one as it arrives (polling), until `signal` aborts.
 * With `json`, one post per line (JSON Lines).
 */
export async function followChannel(ctx: MessageCommandContext, options: { signal: AbortSignal; intervalMs?: number }): Promise<void> {
  const print = (post: Message) => (ctx.json ? printLine(ctx.out, JSON.stringify(post)) : printLine(ctx.out, formatPost(post)));
  let after = 0;
  for (const post of await ctx.mesh.channel({ limit: RECENT_POSTS })) {
    print(post);
    after = post.seq ?? after;
  }
  while (!options.signal.aborted) {
    await sleep(options.intervalMs ?? FOLLOW_POLL_MS, options.signal);
    if (options.signal.aborted) return;
    for (const post of await ctx.mesh.channel({ after })) {
      print(post);
      after = post.seq ?? after;
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export function formatProfile(profile: AgentProfile): string {
  const roles = profile.roles.length ? profile.roles.join(', ') : '(none)';
  const tags = profile.tags.length ? profile.tags.join(', ') : '(any)';
  return `${profile.session}${profile.host ? `@${profile.host}` : ''}: roles ${roles}; tags ${tags}; auto ${profile.auto ? 'on' : 'off'}`;
}

/** Declares what the session can do; with nothing to change, shows its profile. */
export async function declareProfile(
  ctx: MessageCommandContext,
  session: string,
  request: { roles?: string[]; tags?: string[]; auto?: boolean },
): Promise<AgentProfile | null> {
  const changes = Object.values(request).some((value) => value !== undefined);
  const profile = changes
    ? await ctx.mesh.declareProfile(session, request)
    : ((await ctx.mesh.listProfiles()).find((candidate) => candidate.session === session) ?? null);
  if (ctx.json) printJson(ctx.out, profile);
  else printLine(ctx.out, profile === null ? `${session} has declared no profile (set one: mesh profile ${session} --role R --tag T --auto)` : formatProfile(profile));
  return profile;
}
