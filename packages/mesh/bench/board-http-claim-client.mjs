/**
 * The claimers of `board-http-claims.mjs`, in their own process (as agents are, on other hosts):
 * N concurrent claimers, each claiming then completing until nothing is left, over keep-alive
 * HTTP connections (one per claimer) with the hub's token. The client is node:http and
 * JSON.parse, not the protocol client with its zod parse of every task: the figure is the
 * hub's, and on a 2-core machine the client's CPU would otherwise be taken from the hub.
 * Reports every claim, its latency and the client's CPU time over IPC.
 */
import { Agent, request } from 'node:http';

const { url, token, claimers, leaseMs } = JSON.parse(process.argv[2]);
const target = new URL(url);
const agent = new Agent({ keepAlive: true, maxSockets: claimers });

function post(path, body) {
  const payload = Buffer.from(JSON.stringify(body));
  const headers = { host: target.host, authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': payload.length };
  return new Promise((resolve, reject) => {
    const req = request({ agent, hostname: target.hostname, port: target.port, path, method: 'POST', headers }, (res) => {
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
}

async function claimer(n, claims, latencies) {
  const holder = { who: `claimer-${n}`, host: 'bench' };
  for (;;) {
    const started = performance.now();
    const { task } = await post('/api/board/claim', { holder, leaseMs });
    latencies.push(performance.now() - started);
    if (task === null) return;
    claims.push(task.id);
    await post(`/api/board/${task.id}/done`, { token: task.token, note: 'bench' });
  }
}

process.send('ready');
process.once('message', async () => {
  const claims = [];
  const latencies = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: claimers }, (_, n) => claimer(n, claims, latencies)));
  const elapsedMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  agent.destroy();
  process.send({ claims, latencies, elapsedMs, clientCpuMs: (used.user + used.system) / 1000 }, () => process.exit(0));
});
