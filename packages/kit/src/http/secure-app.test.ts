import { describe, expect, it } from 'vitest';
import { createSecureApp, hasOwnerToken, isKitError, serveOnPort, serveOnSocket, type SecureAppOptions } from './index.js';
import { rawRequest } from '../test-helpers/raw-http.js';

const TOKEN = 'test-token-0123456789';

function makeApp(options: Partial<SecureAppOptions> = {}) {
  const app = createSecureApp({ token: TOKEN, requireToken: true, ...options });
  app.get('/health', (c) => c.json({ ok: true }));
  app.get('/api/things', (c) => c.json({ things: [] }));
  return app;
}

async function errorCode(response: Response): Promise<string> {
  const body = (await response.json()) as { error: { code: string } };
  return body.error.code;
}

describe('createSecureApp', () => {
  describe('Host allowlist', () => {
    it('should accept loopback names on any port by default', async () => {
      const app = makeApp({ requireToken: false });
      for (const host of ['127.0.0.1:8123', 'localhost:4000', 'LOCALHOST', '[::1]:9000', '127.0.0.1']) {
        const res = await app.request('/api/things', { headers: { host } });
        expect(res.status, host).toBe(200);
      }
    });

    it('should refuse other hosts (DNS rebinding) with FORBIDDEN_HOST, also on /health', async () => {
      const app = makeApp();
      for (const host of ['evil.example:8123', '127.0.0.1.evil.example', '10.0.0.5:8123', 'localhost:80@evil', '']) {
        const res = await app.request('/health', { headers: { host } });
        expect(res.status, host).toBe(host === '' ? 200 : 403);
        if (host !== '') expect(await errorCode(res)).toBe('FORBIDDEN_HOST');
      }
    });

    it('should apply an explicit allowlist: host:port exactly, bare host on any port', async () => {
      const app = makeApp({ requireToken: false, allowedHosts: ['127.0.0.1:8123', 'box.tailnet'] });
      expect((await app.request('/api/things', { headers: { host: '127.0.0.1:8123' } })).status).toBe(200);
      expect((await app.request('/api/things', { headers: { host: '127.0.0.1:8124' } })).status).toBe(403);
      expect((await app.request('/api/things', { headers: { host: 'box.tailnet:1' } })).status).toBe(200);
      expect((await app.request('/api/things', { headers: { host: 'localhost:8123' } })).status).toBe(403);
    });

    it('should reject an invalid allowlist entry at creation', () => {
      let caught: unknown;
      try {
        createSecureApp({ requireToken: false, allowedHosts: ['http://x/'] });
      } catch (error) {
        caught = error;
      }
      expect(isKitError(caught, 'HTTP_INVALID_HOST_PATTERN')).toBe(true);
    });

    it('should require a Host header over TCP', async () => {
      const app = makeApp({ requireToken: false });
      await using server = await serveOnPort(app.fetch);
      const forged = await rawRequest({ port: server.port, path: '/api/things', headers: { host: 'attacker.example' } });
      expect(forged.status).toBe(403);
      expect(JSON.parse(forged.body)).toEqual({ error: { code: 'FORBIDDEN_HOST', message: expect.any(String) } });
      const good = await rawRequest({ port: server.port, path: '/api/things' });
      expect(good.status).toBe(200);
    });
  });

  describe('Origin check', () => {
    const host = '127.0.0.1:8123';

    it('should allow no Origin, the same origin and listed origins', async () => {
      const app = makeApp({ requireToken: false, allowedOrigins: ['http://localhost:5173/'] });
      for (const origin of [undefined, 'http://127.0.0.1:8123', 'http://localhost:5173']) {
        const headers: Record<string, string> = { host };
        if (origin) headers.origin = origin;
        expect((await app.request('/api/things', { headers })).status, origin).toBe(200);
      }
    });

    it('should refuse cross-origin requests with FORBIDDEN_ORIGIN', async () => {
      const app = makeApp({ requireToken: false });
      for (const origin of ['http://evil.example', 'http://127.0.0.1:9999', 'null', 'file://', 'chrome-extension://abc']) {
        const res = await app.request('/api/things', { method: 'POST', headers: { host, origin } });
        expect(res.status, origin).toBe(403);
        expect(await errorCode(res)).toBe('FORBIDDEN_ORIGIN');
      }
    });

    it('should refuse a cross-origin WebSocket upgrade over real HTTP', async () => {
      const app = makeApp({ requireToken: false });
      app.get('/ws', (c) => c.text('would upgrade'));
      await using server = await serveOnPort(app.fetch);
      const upgrade = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };
      const evil = await rawRequest({ port: server.port, path: '/ws', headers: { ...upgrade, origin: 'http://evil.example' } });
      expect(evil.status).toBe(403);
      expect(JSON.parse(evil.body).error.code).toBe('FORBIDDEN_ORIGIN');
      const same = await rawRequest({ port: server.port, path: '/ws', headers: { ...upgrade, origin: server.url } });
      expect(same.status).toBe(200);
    });
  });

  describe('token', () => {
    const host = 'localhost:8123';

    it('should accept the token as Bearer header, ?token= query or flotilla_token cookie', async () => {
      const app = makeApp();
      const ways: RequestInit[] = [
        { headers: { host, authorization: `Bearer ${TOKEN}` } },
        { headers: { host, cookie: `theme=dark; flotilla_token=${TOKEN}` } },
      ];
      for (const init of ways) expect((await app.request('/api/things', init)).status).toBe(200);
      expect((await app.request(`/api/things?token=${TOKEN}`, { headers: { host } })).status).toBe(200);
    });

    it('should answer 401 UNAUTHORIZED for a missing or wrong token', async () => {
      const app = makeApp();
      const attempts: Array<[string, Record<string, string>]> = [
        ['/api/things', { host }],
        ['/api/things', { host, authorization: `Bearer ${TOKEN}x` }],
        ['/api/things', { host, authorization: TOKEN }],
        ['/api/things?token=nope', { host }],
        ['/api/things', { host, cookie: 'flotilla_token=short' }],
      ];
      for (const [path, headers] of attempts) {
        const res = await app.request(path, { headers });
        expect(res.status, JSON.stringify(headers)).toBe(401);
        expect(res.headers.get('www-authenticate')).toContain('Bearer');
        expect(await errorCode(res)).toBe('UNAUTHORIZED');
      }
    });

    it('should exempt /health from the token only', async () => {
      const app = makeApp();
      expect((await app.request('/health', { headers: { host } })).status).toBe(200);
      expect((await app.request('/health', { headers: { host: 'evil.example' } })).status).toBe(403);
      expect((await app.request('/health', { headers: { host, origin: 'http://evil.example' } })).status).toBe(403);
    });

    it('should refuse requireToken without a token', () => {
      let caught: unknown;
      try {
        createSecureApp({ requireToken: true });
      } catch (error) {
        caught = error;
      }
      expect(isKitError(caught, 'HTTP_TOKEN_REQUIRED')).toBe(true);
    });

    it('should check the token over real TCP', async () => {
      await using server = await serveOnPort(makeApp().fetch);
      expect((await fetch(`${server.url}/api/things`)).status).toBe(401);
      expect((await fetch(`${server.url}/api/things`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    });
  });
});

describe('deniedPage', () => {
  it('should answer a refused page request with the HTML page and API requests with the JSON error', async () => {
    const app = makeApp({ deniedPage: (code, message) => `<h1>${code}: ${message}</h1>` });
    const page = await app.request('/api/things', { headers: { host: '127.0.0.1', accept: 'text/html,*/*' } });
    expect(page.status).toBe(401);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toMatch(/^<h1>UNAUTHORIZED: missing or wrong token/);
    const api = await app.request('/api/things', { headers: { host: '127.0.0.1', accept: 'application/json' } });
    expect(await errorCode(api)).toBe('UNAUTHORIZED');
    const post = await app.request('/api/things', { method: 'POST', headers: { host: '127.0.0.1', accept: 'text/html' } });
    expect(post.headers.get('content-type')).toContain('application/json');
  });
});

describe('hasOwnerToken', () => {
  const app = createSecureApp({ token: TOKEN, requireToken: true, extraTokens: () => ['viewer-token'] });
  app.get('/who', (c) => c.json({ owner: hasOwnerToken(c, TOKEN) }));
  const owner = async (init: { path?: string; headers?: Record<string, string> }): Promise<unknown> => {
    const res = await app.request(init.path ?? '/who', { headers: { host: 'localhost', ...init.headers } });
    return res.status === 200 ? ((await res.json()) as { owner: boolean }).owner : res.status;
  };

  it('should count the token itself as Bearer or ?token=, never as a cookie, and never a viewer token', async () => {
    expect(await owner({ headers: { authorization: `Bearer ${TOKEN}` } })).toBe(true);
    expect(await owner({ path: `/who?token=${TOKEN}` })).toBe(true);
    expect(await owner({ headers: { cookie: `flotilla_token=${TOKEN}` } })).toBe(false);
    expect(await owner({ headers: { authorization: 'Bearer viewer-token' } })).toBe(false);
    expect(await owner({ path: '/who?token=viewer-token' })).toBe(false);
  });

  it('should count a request over the unix socket as the owner', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { request } = await import('node:http');
    const dir = mkdtempSync(join(tmpdir(), 'kit-owner-'));
    await using server = await serveOnSocket(app.fetch, join(dir, 's.sock'));
    const body = await new Promise<string>((resolve, reject) => {
      const req = request({ socketPath: server.socketPath, path: '/who', headers: { host: 'localhost' } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString('utf8')));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    expect(JSON.parse(body)).toEqual({ owner: true });
    rmSync(dir, { recursive: true, force: true });
  });
});
