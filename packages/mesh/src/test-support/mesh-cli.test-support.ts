/**
 * A served hub (board, messages, channel, profiles on real SQLite, over real HTTP) and `mesh` run
 * in-process against it with captured streams, for the CLI's tests.
 */
import type { Transport } from '@flotilla/protocol';
import { createBoardClient } from '@flotilla/protocol';
import { createSqliteBoardStore } from '../board/sqlite-board-store.js';
import { boardRoutes } from '../hub/board-routes.js';
import { startMessageDelivery } from '../hub/message-delivery.js';
import { channelRoutes, messageRoutes } from '../hub/message-routes.js';
import { createSqliteMessageStore } from '../hub/message-sqlite-store.js';
import { createTargetResolver } from '../hub/message-targets.js';
import { profileRoutes } from '../hub/profile-routes.js';
import { createSqliteProfileStore } from '../hub/profile-store.js';
import { hubPaths, type MeshCliContext } from '../cli/context.js';
import { main } from '../cli/main.js';
import { callerFromTestHeader, serveRoutes, tempHubDb } from './hub-routes.test-support.js';

export async function cliHub() {
  const db = tempHubDb();
  const board = createSqliteBoardStore({ path: db.path });
  const messages = createSqliteMessageStore({ path: db.path });
  const profiles = createSqliteProfileStore({ path: db.path });
  const delivered: Array<{ session: string; text: string }> = [];
  const publish = async () => undefined;
  // Sessions api-1 and rev-1 run on linux; no other session runs anywhere.
  const sessionHost = async (name: string) => (['api-1', 'rev-1'].includes(name) ? 'linux' : null);
  const resolveTarget = createTargetResolver({ profiles, sessionHost });
  const messenger = startMessageDelivery({ store: messages, resolveTarget, deliver: async (_host, session, text) => void delivered.push({ session, text }), publish, retryMs: 60_000 });
  const served = await serveRoutes((app) => {
    app.route('/api/board', boardRoutes({ store: board, publish, caller: callerFromTestHeader, defaultLeaseMs: 60_000 }));
    app.route('/api/messages', messageRoutes({ store: messages, messenger, caller: callerFromTestHeader }));
    app.route('/api/channel', channelRoutes({ store: messages, messenger, caller: callerFromTestHeader }));
    app.route('/api/profiles', profileRoutes({ store: profiles, caller: callerFromTestHeader, sessionHost }));
  });
  const run = async (argv: string[], env: Record<string, string> = {}) => {
    let stdout = '';
    let stderr = '';
    const fullEnv = { FLOTILLA_HOME: db.dir, FLOTILLA_HOST_NAME: 'linux', USER: 'me', ...env };
    const ctx: MeshCliContext = {
      env: fullEnv,
      streams: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, stdin: (async function* () {})() },
      paths: hubPaths(fullEnv),
      hub: async (options = {}): Promise<Transport> => {
        if (options.url !== served.url) throw new Error(`the test hub is at ${served.url}, not ${options.url}`);
        return served.transport();
      },
      now: () => Date.now(),
    };
    const code = await main(['--hub', served.url, ...argv], ctx);
    return { code, stdout, stderr };
  };
  return {
    board,
    messenger,
    delivered,
    run,
    client: createBoardClient(served.transport()),
    [Symbol.asyncDispose]: async () => {
      await served.close();
      await messenger.stop();
      await Promise.all([board.close(), messages.close(), profiles.close()]);
      db[Symbol.dispose]();
    },
  };
}

