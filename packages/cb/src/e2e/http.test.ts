import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocketTransport } from '@flotilla/kit/transport';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let url: string;
let token: string;
beforeAll(async () => {
  h = await startHarness({ anthropic: [{ text: 'answer one' }] });
  const res = await createSocketTransport(h.paths.socket).request({ method: 'POST', path: '/api/daemon/serve', body: { port: 0 } });
  ({ url, token } = res.body as { url: string; token: string });
});
afterAll(async () => {
  await h[Symbol.asyncDispose]();
});

describe('the loopback HTTP listener (cb serve)', () => {
  it('should listen on 127.0.0.1 only and require the token', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/api/jobs`)).status).toBe(401);
    expect((await fetch(`${url}/api/jobs`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${url}/api/jobs`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`${url}/api/jobs?token=${token}`)).status).toBe(200);
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ pid: expect.any(Number), version: '0.1.0', protocol: 1 });
  });

  it('should refuse foreign Host and Origin headers, even with the token', async () => {
    const { port } = new URL(url);
    // fetch() will not send a forged Host, so use node:http as a DNS-rebinding page's browser would arrive.
    const rebinding = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/jobs', headers: { authorization: `Bearer ${token}`, host: `evil.example:${port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(rebinding).toBe(403);
    const crossSite = await fetch(`${url}/api/jobs`, { headers: { authorization: `Bearer ${token}`, origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(403);
    expect((await crossSite.json()).error.code).toBe('FORBIDDEN_ORIGIN');
  });

  it('should trade a printed link token for an HttpOnly cookie once, and refuse the spent link with a page saying what to do', async () => {
    const link = ((await createSocketTransport(h.paths.socket).request({ method: 'POST', path: '/api/daemon/serve', body: { port: 0 } })).body as { token: string }).token;
    const res = await fetch(`${url}/?token=${link}`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(link);
    const withCookie = await fetch(`${url}/api/inbox`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(withCookie.status).toBe(200);
    const again = await fetch(`${url}/?token=${link}`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(again.status).toBe(401);
    expect(again.headers.get('content-type')).toContain('text/html');
    expect(await again.text()).toContain('run <code>cb serve</code>');
    expect((await fetch(`${url}/api/jobs`, { headers: { authorization: `Bearer ${link}` } })).status).toBe(401);
  });

  it('should list signed-in browsers by fingerprint and sign one out', async () => {
    const socket = createSocketTransport(h.paths.socket);
    const signIn = async () => {
      const link = ((await socket.request({ method: 'POST', path: '/api/daemon/serve', body: { port: 0 } })).body as { token: string }).token;
      const res = await fetch(`${url}/?token=${link}`, { headers: { accept: 'text/html' }, redirect: 'manual' });
      return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    };
    const phone = await signIn();
    const laptop = await signIn();
    const list = (await (await fetch(`${url}/api/tokens`, { headers: { cookie: laptop } })).json()) as Array<{ id: string; current: boolean }>;
    expect(list.filter((b) => b.current)).toHaveLength(1);
    expect(JSON.stringify(list)).not.toContain(phone.split('=')[1]!);
    const phoneId = list.at(-2)!.id;
    const left = await fetch(`${url}/api/tokens/${phoneId}`, { method: 'DELETE', headers: { cookie: laptop } });
    expect(left.status).toBe(200);
    expect((await fetch(`${url}/api/inbox`, { headers: { cookie: phone } })).status).toBe(401);
    expect((await fetch(`${url}/api/inbox`, { headers: { cookie: laptop } })).status).toBe(200);
    expect((await fetch(`${url}/api/tokens/${phoneId}`, { method: 'DELETE', headers: { cookie: laptop } })).status).toBe(404);
    expect((await fetch(`${url}/api/tokens/nope`, { method: 'DELETE', headers: { cookie: laptop } })).status).toBe(400);
  });

  it('should listen on the same port again after a daemon restart, where the browser\'s cookie still works', async () => {
    const link = ((await createSocketTransport(h.paths.socket).request({ method: 'POST', path: '/api/daemon/serve', body: { port: 0 } })).body as { token: string }).token;
    const res = await fetch(`${url}/?token=${link}`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    await h.killDaemon();
    await expect(fetch(`${url}/api/inbox`, { headers: { cookie } })).rejects.toThrow();
    await h.startDaemon();
    expect((await fetch(`${url}/api/inbox`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${url}/api/inbox`)).status).toBe(401);
    // Link tokens lived in the old daemon's memory: the tests below use a fresh one.
    expect((await fetch(`${url}/api/inbox`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    const again = (await createSocketTransport(h.paths.socket).request({ method: 'POST', path: '/api/daemon/serve', body: { port: 0 } })).body as { url: string; token: string };
    expect(again.url).toBe(url);
    token = again.token;
  });

  it('should serve the dashboard page, gzipped, with a strict CSP, and index.html for its own routes', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const page = await fetch(`${url}/jobs/01ZZZZZZZZZZZZZZZZZZZZZZZZ`, { headers: { ...auth, accept: 'text/html', 'accept-encoding': 'gzip' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('content-encoding')).toBe('gzip');
    const html = await page.text();
    expect(html).toContain('<div id="root">');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${url}${script}`, { headers: auth });
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${url}/assets/nope.js`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${url}/api/nope`, { headers: auth })).status).toBe(404);
    expect(await (await fetch(`${url}/api/capabilities`, { headers: auth })).json()).toMatchObject({ addons: expect.arrayContaining(['dashboard']) });
  });

  it('should answer capabilities, stats, metrics and doctor', async () => {
    const job = await h.waitEnded((await h.createJob({ prompt: 'one' })).id);
    const auth = { headers: { authorization: `Bearer ${token}` } };
    expect(await (await fetch(`${url}/api/capabilities`, auth)).json()).toMatchObject({ kind: 'daemon', host: 'e2e-host', agents: ['claude', 'codex'] });
    const stats = await h.client.stats();
    expect(stats.totals.jobs).toBe(1);
    expect(stats.byAgent[0]).toMatchObject({ key: 'claude', jobs: 1 });
    // The chart figures (durations, attempts per job, failures per day) come through the client's schema.
    expect(stats).toMatchObject({ failuresByDay: [], attempts: { '1': 1 }, durations: { jobs: 1, p50Ms: job.durationMs, maxMs: job.durationMs } });
    const metrics = await (await fetch(`${url}/metrics`, auth)).text();
    expect(metrics).toContain('cb_jobs{host="e2e-host",status="succeeded"} 1');
    const report = await h.client.doctor();
    expect(report.checks.find((c) => c.name === 'tmux')?.ok).toBe(true);
    expect(report.checks.find((c) => c.name === 'claude CLI')).toMatchObject({ ok: true, detail: expect.stringContaining('2.1.197') });
    expect(job.status).toBe('succeeded');
  });

  it('should answer bad requests with a clear error envelope and keep serving', async () => {
    const post = (body: string) => fetch(`${url}/api/jobs`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
    const broken = await post('{not json');
    expect(broken.status).toBe(400);
    expect((await broken.json()).error.code).toBe('BAD_REQUEST');
    const invalid = await post(JSON.stringify({ prompt: '' }));
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', message: 'prompt: the prompt is empty' } });
    expect((await fetch(`${url}/api/jobs/01ZZZZZZZZZZZZZZZZZZZZZZZZ`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
    expect((await h.client.health()).pid).toBeGreaterThan(0);
  });
});
