// How many Telegram updates per second the bot gets through, against the fake Bot API over real
// HTTP long polling, with a raw grammY bot measured in the same run as the baseline.
//   cd packages/telegram && npx tsx bench/updates.ts [--updates 5000] [--allowed 300] [--rounds 3]
// Each scenario runs --rounds times, interleaved, after one unprinted warm-up; the median round is shown.
// Figures: updates/s from push to confirmed (the bot's next getUpdates offset passed them), and
// for replies the time from push to the reply reaching the fake (p50 / p95).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Bot } from 'grammy';
import { createSocketTransport } from '@flotilla/kit/transport';
import { createClient } from '@flotilla/protocol';
import { createTelegramBot } from '../src/index.js';
import { startFakeBotApi, type FakeBotApi } from '../src/test-support/fake-bot-api.test-support.js';

const { values } = parseArgs({ options: { updates: { type: 'string', default: '5000' }, allowed: { type: 'string', default: '300' }, rounds: { type: 'string', default: '3' } } });
const ROUNDS = Number(values.rounds);
const UPDATES = Number(values.updates);
const ALLOWED = Number(values.allowed);
const OWNER = 5_550_001;
/** Long enough for thousands of updates on a loaded two-core machine. */
const CONFIRM_TIMEOUT_MS = 300_000;

interface Figure {
  scenario: string;
  updates: number;
  seconds: number;
  replyP50?: number;
  replyP95?: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Pushes `count` messages (user ids from `firstUser`), waits until all are confirmed, and times it. */
async function drive(api: FakeBotApi, scenario: string, count: number, message: (i: number) => { from: number; text: string }, expectReplies: boolean): Promise<Figure> {
  const pushedAt = new Map<number, number>();
  const mark = api.mark();
  const started = performance.now();
  for (let i = 0; i < count; i += 1) {
    const { from, text } = message(i);
    api.pushMessage({ from, text });
    pushedAt.set(from, Date.now());
  }
  await api.waitForConfirmed(CONFIRM_TIMEOUT_MS);
  let replies: number[] = [];
  if (expectReplies) {
    const deadline = Date.now() + CONFIRM_TIMEOUT_MS;
    while (api.sent().filter((e) => e.seq > mark).length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    replies = api.sent().filter((e) => e.seq > mark).map((e) => e.at - (pushedAt.get(e.chatId) ?? e.at)).sort((a, b) => a - b);
  }
  const seconds = (performance.now() - started) / 1000;
  return { scenario, updates: count, seconds, ...(expectReplies ? { replyP50: percentile(replies, 50) / 1000, replyP95: percentile(replies, 95) / 1000 } : {}) };
}

async function rawGrammy(reply: boolean, scenario: string, count: number): Promise<Figure> {
  const api = await startFakeBotApi();
  const bot = new Bot(api.token, { client: { apiRoot: api.apiRoot } });
  bot.on('message', async (ctx) => {
    if (reply) await ctx.reply('ok');
  });
  await bot.init();
  await new Promise<void>((resolve) => void bot.start({ onStart: () => resolve() }));
  try {
    return await drive(api, scenario, count, (i) => ({ from: 9_000_000 + i, text: reply ? '/help' : `hello ${i}` }), reply);
  } finally {
    await bot.stop();
    await api.close();
  }
}

async function flotillaBot(allowed: boolean, scenario: string, count: number): Promise<Figure> {
  const api = await startFakeBotApi();
  const home = mkdtempSync(join(tmpdir(), 'tg-bench-'));
  // No daemon: /help and refused updates never ask it anything; the event stream just retries.
  const client = createClient(createSocketTransport(join(home, 'no-daemon.sock')));
  const users = allowed ? Array.from({ length: count }, (_, i) => 9_000_000 + i) : [OWNER];
  let logged = 0;
  const telegram = createTelegramBot({ token: api.token, allowedUsers: users, client, apiRoot: api.apiRoot, home, log: () => void (logged += 1) });
  await telegram.start();
  try {
    const figure = await drive(api, scenario, count, (i) => ({ from: 9_000_000 + i, text: allowed ? '/help' : `/run echo ${i}` }), allowed);
    if (!allowed && api.sent().length > 0) throw new Error('a refused update got an answer');
    if (!allowed && logged < count) throw new Error(`only ${logged} of ${count} refused updates were logged`);
    return figure;
  } finally {
    await telegram.stop();
    await api.close();
    rmSync(home, { recursive: true, force: true });
  }
}

function print(figures: Figure[]): void {
  const baseline = figures[0]!.updates / figures[0]!.seconds;
  const replyBaseline = figures.find((f) => f.replyP50 !== undefined);
  const rows = figures.map((f) => {
    const rate = f.updates / f.seconds;
    const relative = f.replyP50 === undefined ? `${(rate / baseline).toFixed(2)}× baseline` : `${(rate / (replyBaseline!.updates / replyBaseline!.seconds)).toFixed(2)}× raw replies`;
    const latency = f.replyP50 === undefined ? '' : `  reply p50 ${f.replyP50.toFixed(2)} s, p95 ${f.replyP95!.toFixed(2)} s`;
    return `${f.scenario.padEnd(46)} ${String(f.updates).padStart(6)} ${f.seconds.toFixed(2).padStart(8)} ${rate.toFixed(0).padStart(9)}   ${relative}${latency}`;
  });
  console.log(`node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (${new Date().toISOString()})`);
  console.log(`${'scenario'.padEnd(46)} ${'updates'.padStart(6)} ${'seconds'.padStart(8)} ${'updates/s'.padStart(9)}`);
  for (const row of rows) console.log(row);
}

const scenarios: (() => Promise<Figure>)[] = [
  () => rawGrammy(false, 'raw grammY, no-op handler (baseline)', UPDATES),
  () => flotillaBot(false, 'bot, users not on the allowlist (ignored)', UPDATES),
  () => rawGrammy(true, 'raw grammY, one reply per update', ALLOWED),
  () => flotillaBot(true, `bot, /help from ${ALLOWED} allow-listed users`, ALLOWED),
];
// Warm-up: JIT and connection set-up would otherwise count against whichever scenario runs first.
await rawGrammy(false, 'warm-up', Math.min(UPDATES, 1000));
await flotillaBot(false, 'warm-up', Math.min(UPDATES, 1000));
const rounds: Figure[][] = scenarios.map(() => []);
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [index, scenario] of scenarios.entries()) rounds[index]!.push(await scenario());
}
print(rounds.map((figures) => [...figures].sort((a, b) => a.seconds - b.seconds)[Math.floor(figures.length / 2)]!));
