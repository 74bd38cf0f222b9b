import { Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecureApp, serveOnSocket, type SocketServer } from '../http/index.js';
import { createTestDir } from '../test-helpers/test-dir.js';
import { KitError } from '../internal/errors.js';
import { createAgentTransport, isKitError } from './index.js';

type CreateConnection = (options: unknown, callback: (error: Error | null, stream?: Duplex) => void) => Duplex | undefined;

/**
 * An agent whose connections come from `connectTo`: returned at once (a socket the agent can
 * count against maxSockets) or failed through the callback, as a link that is down would.
 */
function agentOver(connectTo: () => Socket | Error, maxSockets: number): Agent & { opened: number } {
  const agent = new Agent({ keepAlive: true, maxSockets }) as Agent & { opened: number };
  agent.opened = 0;
  (agent as unknown as { createConnection: CreateConnection }).createConnection = (_options, callback) => {
    const socket = connectTo();
    if (socket instanceof Error) {
      process.nextTick(callback, socket);
      return undefined;
    }
    agent.opened += 1;
    return socket;
  };
  return agent;
}

describe('createAgentTransport', () => {
  const dir = createTestDir('kit-agent-transport-');
  let server: SocketServer;
  beforeAll(async () => {
    const app = createSecureApp({ token: 't', requireToken: false });
    app.get('/api/echo', (c) => c.json({ n: c.req.query('n') }));
    server = await serveOnSocket(app.fetch, dir.join('s.sock'));
  });
  afterAll(async () => {
    await server.close();
    dir[Symbol.dispose]();
  });

  it('should send requests over the agent connections, reusing them (keep-alive) within its limit', async () => {
    const agent = agentOver(() => connect(dir.join('s.sock')), 2);
    const transport = createAgentTransport(agent, { label: 'test' });
    const results = await Promise.all(Array.from({ length: 10 }, (_, n) => transport.request({ method: 'GET', path: '/api/echo', query: { n } })));
    expect(results.map((res) => res.body)).toEqual(Array.from({ length: 10 }, (_, n) => ({ n: String(n) })));
    expect(agent.opened).toBe(2);
    agent.destroy();
  });

  it('should reject with the connection factory own KitError', async () => {
    const agent = agentOver(() => new KitError('DAEMON_UNAVAILABLE', 'the link to box is down'), 2);
    const transport = createAgentTransport(agent, { label: 'box' });
    await expect(transport.request({ method: 'GET', path: '/api/echo' })).rejects.toSatisfy(
      (error) => isKitError(error, 'DAEMON_UNAVAILABLE') && /link to box is down/.test((error as Error).message),
    );
  });
});
