import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { streamSSE } from 'hono/streaming';
import { rawRequest } from '../test-helpers/raw-http.js';
import { createTestDir } from '../test-helpers/test-dir.js';
import { createSecureApp, generateToken, isKitError, readOrCreateTokenFile, serveOnPort, serveOnSocket } from './index.js';

function makeApp() {
  const app = createSecureApp({ token: 'secret-token', requireToken: true });
  app.get('/health', (c) => c.json({ pid: process.pid }));
  app.get('/api/whoami', (c) => c.json({ url: c.req.url }));
  app.get('/api/events', (c) =>
    streamSSE(c, async (stream) => {
      await stream.writeSSE({ data: 'hello', id: '1' });
      await new Promise<void>((resolve) => stream.onAbort(resolve));
    }),
  );
  return app;
}

describe('serveOnSocket', () => {
  it('should serve on a 0600 unix socket, trusting it for the token, and accept a missing Host', async () => {
    using dir = createTestDir('kit-serve-');
    const socketPath = dir.join('cb.sock');
    await using server = await serveOnSocket(makeApp().fetch, socketPath);
    expect(server.socketPath).toBe(socketPath);
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);
    const withHost = await rawRequest({ socketPath, path: '/api/whoami' });
    expect(withHost.status).toBe(200);
    const noHost = await rawRequest({ socketPath, path: '/api/whoami', setHost: false });
    expect(noHost.status).toBe(200);
    expect(JSON.parse(noHost.body)).toEqual({ url: 'http://localhost/api/whoami' });
    const rebinding = await rawRequest({ socketPath, path: '/api/whoami', headers: { host: 'evil.example' } });
    expect(rebinding.status).toBe(403);
  });

  it('should replace a stale socket file but refuse a live one or a regular file', async () => {
    using dir = createTestDir('kit-serve-');
    const stale = dir.join('stale.sock');
    // A crashed daemon: a process listening on the socket is SIGKILLed, leaving the file behind.
    const script = `require('net').createServer().listen(process.argv[1], () => console.log('ready'))`;
    const crashed = spawn(process.execPath, ['-e', script, stale], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => crashed.stdout.once('data', resolve));
    crashed.kill('SIGKILL');
    await new Promise((resolve) => crashed.once('exit', resolve));
    expect(existsSync(stale)).toBe(true);
    await using server = await serveOnSocket(makeApp().fetch, stale);
    expect((await rawRequest({ socketPath: stale, path: '/health' })).status).toBe(200);

    await expect(serveOnSocket(makeApp().fetch, stale)).rejects.toSatisfy((error) => isKitError(error, 'HTTP_SOCKET_IN_USE'));
    const regular = dir.join('regular');
    writeFileSync(regular, 'keep me');
    await expect(serveOnSocket(makeApp().fetch, regular)).rejects.toSatisfy((error) => isKitError(error, 'HTTP_NOT_A_SOCKET'));
    expect(readFileSync(regular, 'utf8')).toBe('keep me');
    await expect(serveOnSocket(makeApp().fetch, dir.join('x'.repeat(120)))).rejects.toSatisfy((error) =>
      isKitError(error, 'HTTP_SOCKET_PATH_TOO_LONG'),
    );
  });

  it('should close with keep-alive and SSE connections open, and remove the socket file', async () => {
    using dir = createTestDir('kit-serve-');
    const socketPath = dir.join('close.sock');
    const server = await serveOnSocket(makeApp().fetch, socketPath, { closeGraceMs: 100 });
    const firstChunk = new Promise<string>((resolve, reject) => {
      const req = request({ socketPath, path: '/api/events' }, (res) => res.once('data', (chunk: Buffer) => resolve(chunk.toString())));
      req.on('error', () => undefined);
      req.end();
      setTimeout(() => reject(new Error('no SSE data')), 2000);
    });
    expect(await firstChunk).toContain('data: hello');
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(existsSync(socketPath)).toBe(false);
    await server.close();
  });
});

describe('serveOnPort', () => {
  it('should listen on 127.0.0.1 with a free port and close open keep-alive connections', async () => {
    const server = await serveOnPort(makeApp().fetch, { closeGraceMs: 100 });
    expect(server.hostname).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const res = await fetch(`${server.url}/health`, { headers: { connection: 'keep-alive' } });
    expect(await res.json()).toEqual({ pid: process.pid });
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });

  it('should report a port in use with a stable code', async () => {
    await using first = await serveOnPort(makeApp().fetch);
    await expect(serveOnPort(makeApp().fetch, { port: first.port })).rejects.toSatisfy((error) => isKitError(error, 'HTTP_LISTEN_FAILED'));
  });
});

describe('tokens', () => {
  it('should generate 32-byte base64url tokens', () => {
    const token = generateToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(token);
  });

  it('should create the token file once with mode 0600 and return the same token afterwards', async () => {
    using dir = createTestDir('kit-token-');
    const path = dir.join('home', 'token');
    const tokens = await Promise.all([1, 2, 3, 4, 5].map(() => readOrCreateTokenFile(path)));
    expect(new Set(tokens).size).toBe(1);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8').trim()).toBe(tokens[0]);
    expect(await readOrCreateTokenFile(path)).toBe(tokens[0]);
  });

  it('should tighten a too-open token file and replace an empty one', async () => {
    using dir = createTestDir('kit-token-');
    const open = dir.join('open');
    writeFileSync(open, 'existing\n', { mode: 0o644 });
    expect(await readOrCreateTokenFile(open)).toBe('existing');
    expect(statSync(open).mode & 0o777).toBe(0o600);
    const empty = dir.join('empty');
    writeFileSync(empty, '');
    const token = await readOrCreateTokenFile(empty);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(empty).mode & 0o777).toBe(0o600);
  });
});
