#!/usr/bin/env node
// Records what the REAL Claude Code / Codex CLIs print for each failure mode, into
// packages/cb/test-fixtures/<agent>/<case>.json, plus a generated README.md.
//
//   pnpm --filter @flotilla/testkit build
//   node packages/testkit/scripts/record-fixtures.mjs [case-name-filter …]
//
// It runs against the built dist (not src), one case at a time.
import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  claudeBin,
  claudeEnv,
  codexBin,
  codexEnv,
  makeGitRepo,
  makeTempDir,
  runProcess,
  seedClaudeHome,
  seedCodexHome,
  startFakeAnthropic,
  startFakeOpenAI,
} from '../dist/index.js';
import { cases } from './fixture-cases.mjs';
import { renderReadme, summarize } from './fixture-readme.mjs';

const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../cb/test-fixtures');
const API_KEY = 'sk-ant-api03-fake-key-0123456789abcdef';
const OAUTH_TOKEN = 'sk-ant-oat01-fake-token-0123456789abcdef';
const OPENAI_KEY = 'sk-test-fake-openai-key';
/** Retries kept minimal so each retrying case shows exactly one retry. */
const CLAUDE_MAX_RETRIES = 1;
/** Cap per run; the slowest case (codex stall) needs about 5 s. */
const RUN_TIMEOUT_MS = 90_000;

async function prepareClaude(c, dirs, api) {
  const apiKey = c.auth === 'apiKey' ? API_KEY : undefined;
  await seedClaudeHome(dirs.home, { apiKey, cwd: dirs.repo });
  const oauthToken = c.auth === 'oauth' ? OAUTH_TOKEN : undefined;
  const env = claudeEnv({ home: dirs.home, baseUrl: api.url, apiKey, oauthToken, maxRetries: CLAUDE_MAX_RETRIES });
  return { command: claudeBin(), env };
}

async function prepareCodex(c, dirs, api) {
  await seedCodexHome(dirs.home, { baseUrl: api.url, cwds: [dirs.repo], requestMaxRetries: 1, streamMaxRetries: 1, ...c.codexHome });
  return { command: codexBin(), env: codexEnv({ home: dirs.home, apiKey: OPENAI_KEY }) };
}

/** Sends SIGTERM as soon as the fake has received a main-loop request. */
function sigtermOnFirstMainRequest(api) {
  return (child) => {
    const timer = setInterval(() => {
      if (api.requests.some((r) => r.kind === 'main')) {
        clearInterval(timer);
        child.kill('SIGTERM');
      }
    }, 20);
    timer.unref();
  };
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces the random port with PORT and every spelling of the temp root with /TMP. */
function normalizer(port, tmpPaths) {
  const replacements = [[new RegExp(`(127\\.0\\.0\\.1|localhost):${port}\\b`, 'g'), '$1:PORT']];
  for (const p of tmpPaths) {
    replacements.push([new RegExp(escapeRegExp(p), 'g'), '/TMP']);
    // Claude names project dirs after the cwd with non-alphanumerics turned into dashes.
    replacements.push([new RegExp(escapeRegExp(p.replace(/[^a-zA-Z0-9]/g, '-')), 'g'), '-TMP']);
  }
  return (text) => replacements.reduce((out, [re, to]) => out.replace(re, to), text);
}

async function recordCase(c) {
  const tmp = await makeTempDir('flotilla-rec-');
  const api = c.agent === 'claude' ? await startFakeAnthropic(c.scenario) : await startFakeOpenAI(c.scenario);
  try {
    const dirs = { home: join(tmp.path, 'home'), repo: join(tmp.path, 'repo') };
    await mkdir(dirs.home);
    await mkdir(dirs.repo);
    await makeGitRepo(dirs.repo);
    const { command, env } = c.agent === 'claude' ? await prepareClaude(c, dirs, api) : await prepareCodex(c, dirs, api);
    if (c.refused) await api.close();
    const run = await runProcess({
      command,
      args: c.args,
      cwd: dirs.repo,
      env,
      timeoutMs: RUN_TIMEOUT_MS,
      onSpawn: c.sigtermOnRequest ? sigtermOnFirstMainRequest(api) : undefined,
    });
    if (run.timedOut) throw new Error(`${c.agent}/${c.case} timed out after ${RUN_TIMEOUT_MS} ms`);
    const normalize = normalizer(api.port, [...new Set([tmp.path, await realpath(tmp.path)])]);
    return {
      agent: c.agent,
      case: c.case,
      argv: [c.agent, ...c.args],
      exitCode: run.exitCode,
      signal: run.signal,
      durationMs: run.durationMs,
      stdout: normalize(run.stdout),
      stderr: normalize(run.stderr),
    };
  } finally {
    await api.close();
    await tmp[Symbol.asyncDispose]();
  }
}

function fixturePath(c) {
  return join(OUT_DIR, c.agent, `${c.case}.json`);
}

/** Regenerates README.md from every case's fixture on disk (recorded now or earlier). */
async function writeReadme() {
  const summaries = [];
  for (const c of cases) {
    const fixture = await readFile(fixturePath(c), 'utf8').then(JSON.parse, () => undefined);
    if (fixture !== undefined) summaries.push(summarize(c, fixture));
  }
  await writeFile(join(OUT_DIR, 'README.md'), renderReadme(summaries));
}

async function main() {
  const filters = process.argv.slice(2);
  const selected = cases.filter((c) => filters.length === 0 || filters.some((f) => `${c.agent}/${c.case}`.includes(f)));
  for (const c of selected) {
    const fixture = await recordCase(c);
    await mkdir(dirname(fixturePath(c)), { recursive: true });
    await writeFile(fixturePath(c), `${JSON.stringify(fixture, null, 2)}\n`);
    const { signature } = summarize(c, fixture);
    console.log(`${c.agent}/${c.case}: exit=${fixture.exitCode} signal=${fixture.signal} ${fixture.durationMs}ms  ${signature}`);
  }
  await writeReadme();
}

await main();
