/**
 * The claimers of the board benches, in their own process (as agents are, on other hosts): N
 * concurrent claimers, each claiming then completing until nothing is left, with the hub's token.
 * Reports every claim, its latency and the process's CPU time over IPC.
 *
 * The client is not the protocol client (its zod parse of every task costs about as much CPU as
 * the hub itself, and on a 2-core machine that CPU is taken from the hub). Which HTTP client, and
 * how, is an option, because on 2 cores the claimers' own CPU is part of what is measured
 * (`bench/http-clients.mjs` measures them against each other):
 *
 * - `client: 'http'`: node:http with a keep-alive Agent, one connection per claimer;
 * - `client: 'undici'`: an undici Pool, `connections` sockets (default one per claimer), each
 *   carrying up to `pipelining` requests in flight (default 1: none);
 * - `client: 'raw'`: HTTP/1.1 written and read by hand on one keep-alive `net.Socket` per claimer
 *   (the request's bytes, then the status line, Content-Length or chunked body): the least CPU a
 *   claimer can spend and still be an HTTP client of the hub's real server;
 * - `workers: W` (default 0): the claimers split over W worker threads of this process.
 *
 * undici is not a dependency of the package: it is looked up in the workspace (it is there, through
 * another package's dependency) and `client: 'undici'` fails clearly when it is missing.
 */
import { request as httpRequest, Agent } from 'node:http';
import { connect } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

/** undici from the package, or from the workspace's store (a transitive dependency there). */
export function loadUndici() {
  const require = createRequire(import.meta.url);
  for (const from of [import.meta.url, fileURLToPath(new URL('../../../node_modules/.pnpm/node_modules/', import.meta.url))]) {
    try {
      return require(require.resolve('undici', { paths: [from.startsWith('file:') ? fileURLToPath(from) : from] }));
    } catch {
      // next place
    }
  }
  throw new Error('undici is not installed in this workspace: run the bench with --client http');
}

function httpPoster(options) {
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections ?? options.claimers });
  const auth = `Bearer ${options.token}`;
  const post = (path, payload) => {
    const headers = { host: target.host, authorization: auth, 'content-type': 'application/json', 'content-length': payload.length };
    return new Promise((resolve, reject) => {
      const req = httpRequest({ agent, hostname: target.hostname, port: target.port, path, method: 'POST', headers }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if (res.statusCode >= 400) reject(new Error(`${path}: ${res.statusCode} ${parsed.error?.message}`));
          else resolve(parsed);
        });
      });
      req.once('error', reject);
      req.end(payload);
    });
  };
  return { post, close: async () => agent.destroy() };
}

function undiciPoster(options) {
  const { Pool } = loadUndici();
  const target = new URL(options.url);
  const pool = new Pool(target.origin, { connections: options.connections ?? options.claimers, pipelining: options.pipelining ?? 1 });
  const headers = { host: target.host, authorization: `Bearer ${options.token}`, 'content-type': 'application/json' };
  // undici sends a POST only once the requests before it on its connection are answered, unless it
  // is marked idempotent: with pipelining, it is, so that it can be pipelined at all. undici does
  // not resend a request that was written (no retry handler here), and the bench counts every
  // claim: a claim sent twice would show as a missing or double claim.
  const idempotent = (options.pipelining ?? 1) > 1;
  const post = async (path, payload) => {
    const res = await pool.request({ path, method: 'POST', headers, body: payload, idempotent });
    const parsed = await res.body.json();
    if (res.statusCode >= 400) throw new Error(`${path}: ${res.statusCode} ${parsed.error?.message}`);
    return parsed;
  };
  return { post, close: () => pool.close() };
}

/** One keep-alive connection, one request at a time: the bytes of HTTP/1.1, nothing else. */
function rawConnection(target, token) {
  const socket = connect({ host: target.hostname, port: Number(target.port) });
  socket.setNoDelay(true);
  const head = `Host: ${target.host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\n`;
  let buffered = Buffer.alloc(0);
  let waiting = null;
  const fail = (error) => waiting?.reject(error);
  socket.on('error', fail);
  socket.on('close', () => fail(new Error('the hub closed the connection')));
  socket.on('data', (chunk) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    const answer = parseResponse(buffered);
    if (answer === null) return;
    buffered = buffered.subarray(answer.used);
    const done = waiting;
    waiting = null;
    done?.resolve(answer);
  });
  const post = (path, payload) =>
    new Promise((resolve, reject) => {
      waiting = { resolve, reject };
      socket.write(`POST ${path} HTTP/1.1\r\n${head}Content-Length: ${payload.length}\r\n\r\n`);
      socket.write(payload);
    });
  return { post, close: () => socket.destroy() };
}

/** A whole response at the start of `bytes` (status, body text, bytes used), or null while incomplete. */
function parseResponse(bytes) {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = bytes.toString('latin1', 0, end);
  const status = Number(head.slice(9, 12));
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) {
    const total = end + 4 + Number(length[1]);
    return bytes.length < total ? null : { status, text: bytes.toString('utf8', end + 4, total), used: total };
  }
  if (!/\r\ntransfer-encoding:\s*chunked/i.test(head)) throw new Error(`a response without a length: ${head}`);
  const parts = [];
  for (let at = end + 4; ; ) {
    const line = bytes.indexOf('\r\n', at);
    if (line < 0) return null;
    const size = parseInt(bytes.toString('latin1', at, line), 16);
    if (bytes.length < line + 2 + size + 2) return null;
    if (size === 0) return { status, text: parts.join(''), used: line + 4 };
    parts.push(bytes.toString('utf8', line + 2, line + 2 + size));
    at = line + 2 + size + 2;
  }
}

function rawPoster(options) {
  const target = new URL(options.url);
  const free = [];
  const all = [];
  // One connection per claimer: each claimer's requests follow one another, so a claimer takes a
  // connection for one request and gives it back.
  const post = async (path, payload) => {
    const connection = free.pop() ?? (all.push(rawConnection(target, options.token)), all.at(-1));
    try {
      const { status, text } = await connection.post(path, payload);
      const parsed = JSON.parse(text);
      if (status >= 400) throw new Error(`${path}: ${status} ${parsed.error?.message}`);
      return parsed;
    } finally {
      free.push(connection);
    }
  };
  return { post, close: async () => all.forEach((connection) => connection.close()) };
}

async function claimer(post, name, { leaseMs, claimOnly }, claims, latencies) {
  const claim = Buffer.from(JSON.stringify({ holder: { who: name, host: 'bench' }, leaseMs }));
  for (;;) {
    const started = performance.now();
    const { task } = await post('/api/board/claim', claim);
    latencies.push(performance.now() - started);
    if (task === null) return;
    claims.push(task.id);
    if (claimOnly) continue;
    await post(`/api/board/${task.id}/done`, Buffer.from(JSON.stringify({ token: task.token, note: 'bench' })));
  }
}

/** Runs `options.claimers` claimers (named from `first`) in this thread until the board is empty. */
async function runHere(options, first = 0) {
  const poster = options.client === 'undici' ? undiciPoster(options) : options.client === 'raw' ? rawPoster(options) : httpPoster(options);
  const claims = [];
  const latencies = [];
  await Promise.all(Array.from({ length: options.claimers }, (_, n) => claimer(poster.post, `claimer-${first + n}`, options, claims, latencies)));
  await poster.close();
  return { claims, latencies };
}

/**
 * Splits the claimers over `workers` threads, each with its own pool of connections. The threads
 * start (and load their client) before the clock does; `go()` starts them all.
 */
async function startWorkers(options) {
  const share = (w) => Math.floor(options.claimers / options.workers) + (w < options.claimers % options.workers ? 1 : 0);
  let first = 0;
  const workers = [];
  for (let w = 0; w < options.workers; w += 1) {
    const claimers = share(w);
    const connections = options.connections === undefined ? undefined : Math.max(1, Math.round((options.connections * claimers) / options.claimers));
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { ...options, claimers, connections, first } });
    first += claimers;
    await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    workers.push(worker);
  }
  return async () => {
    const runs = workers.map((worker) => new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage('go');
    }));
    const results = await Promise.all(runs);
    return { claims: results.flatMap((r) => r.claims), latencies: results.flatMap((r) => r.latencies) };
  };
}

if (!isMainThread) {
  if (workerData.client === 'undici') loadUndici();
  parentPort.postMessage('ready');
  parentPort.once('message', async () => parentPort.postMessage(await runHere(workerData, workerData.first)));
} else if (process.send !== undefined) {
  const options = JSON.parse(process.argv[2]);
  const go = options.workers > 0 ? await startWorkers(options) : () => runHere(options);
  if (options.client === 'undici') loadUndici();
  process.send('ready');
  process.once('message', async () => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const { claims, latencies } = await go();
    const elapsedMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    process.send({ claims, latencies, elapsedMs, clientCpuMs: (used.user + used.system) / 1000 }, () => process.exit(0));
  });
}
