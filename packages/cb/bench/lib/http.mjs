/**
 * The daemon's API over its unix socket with bare node:http (no zod, no client library), so the
 * bench client adds as little of its own latency as it can. Unix-socket requests need no token.
 */
import { request as httpRequest } from 'node:http';

/** One JSON request; resolves `{ status, body }` (body parsed when it is JSON). */
export function request(socketPath, method, path, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = httpRequest(
      { socketPath, method, path, headers: { host: 'localhost', ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) } },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Like `request`, but throws on a status ≥ 400 with what the daemon said. */
export async function call(socketPath, method, path, body) {
  const res = await request(socketPath, method, path, body);
  if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
  return res.body;
}

/**
 * Subscribes to `GET /api/events`. `onEvent(event, receivedAtMs)` gets each parsed event with the
 * time its bytes arrived (before parsing). Resolves once the response headers are in, with
 * `close()`; `lastEventId` resumes after that outbox row id.
 */
export function subscribeEvents(socketPath, onEvent, options = {}) {
  return new Promise((resolve, reject) => {
    const headers = { host: 'localhost', accept: 'text/event-stream' };
    if (options.lastEventId !== undefined) headers['last-event-id'] = String(options.lastEventId);
    const req = httpRequest({ socketPath, method: 'GET', path: '/api/events', headers }, (res) => {
      if ((res.statusCode ?? 0) >= 400) return reject(new Error(`GET /api/events → ${res.statusCode}`));
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk) => {
        const receivedAt = Date.now();
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5))
            .join('\n');
          if (data) onEvent(JSON.parse(data), receivedAt);
        }
      });
      resolve({ close: () => req.destroy() });
    });
    req.on('error', (error) => {
      if (error.code !== 'ECONNRESET') reject(error);
    });
    req.end();
  });
}
