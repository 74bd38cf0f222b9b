import { ProtocolError, createClient, type DaemonStatus, type FlotillaClient, type Transport } from '@flotilla/protocol';
import { ensureDaemon, findDaemon, waitForDaemonExit, type DaemonOptions } from '../daemon-client.js';
import { formatDuration } from '../duration.js';
import { printJson, printLine, type CliStreams } from '../streams.js';
import { VERSION as CB_VERSION } from '../../version.js';

export type DaemonAction = 'start' | 'stop' | 'status' | 'restart';

export interface DaemonCommandOptions {
  action: DaemonAction;
  daemon: DaemonOptions;
  streams: CliStreams;
  json?: boolean;
  clientFor?: (transport: Transport) => FlotillaClient;
}

export interface DaemonStopResult {
  stopped: boolean;
  pid?: number;
  version?: string;
  protocol?: number;
}

/**
 * `cb daemon start|stop|status|restart`. `status` never starts a daemon: when none runs it fails
 * with DAEMON_UNAVAILABLE (exit 1). `stop` of a daemon that is not running succeeds.
 */
export async function daemon(options: DaemonCommandOptions): Promise<DaemonStatus | DaemonStopResult> {
  const clientFor = options.clientFor ?? createClient;
  const { streams, json } = options;
  switch (options.action) {
    case 'status': {
      const running = await findDaemon(options.daemon);
      if (!running) {
        throw new ProtocolError('DAEMON_UNAVAILABLE', `no daemon is running for ${options.daemon.paths.home}`, {
          fix: 'start it with: cb daemon start (any other cb command starts it too)',
        });
      }
      const status = await clientFor(running.transport).status();
      printStatus(status, streams, json, 'running');
      return status;
    }
    case 'start': {
      const conn = await ensureDaemon(options.daemon);
      const status = await clientFor(conn.transport).status();
      printStatus(status, streams, json, conn.started ? 'started' : 'already running');
      return status;
    }
    case 'stop': {
      const result = await stop(options, clientFor);
      if (json) printJson(streams.stdout, result);
      else printLine(streams.stdout, result.stopped ? `daemon stopped (pid ${result.pid})` : 'daemon was not running');
      return result;
    }
    case 'restart': {
      const stopped = await stop(options, clientFor);
      const conn = await ensureDaemon(options.daemon);
      const status = await clientFor(conn.transport).status();
      printStatus(status, streams, json, stopped.stopped ? 'restarted' : 'started');
      return status;
    }
  }
}

async function stop(options: DaemonCommandOptions, clientFor: (t: Transport) => FlotillaClient): Promise<DaemonStopResult> {
  const running = await findDaemon(options.daemon);
  if (!running) return { stopped: false };
  try {
    await clientFor(running.transport).stop();
  } catch {
    // The daemon may drop the connection while it goes; the pid says whether it went.
  }
  await waitForDaemonExit(running.health.pid, options.daemon.paths);
  return { stopped: true, ...running.health };
}

function printStatus(status: DaemonStatus, streams: CliStreams, json: boolean | undefined, state: string): void {
  if (json) {
    printJson(streams.stdout, status);
    return;
  }
  const lines = [
    `daemon ${state}: pid ${status.pid}, version ${status.version} (protocol ${status.protocol}), up ${formatDuration(status.uptimeMs)}`,
    `  home    ${status.home}`,
    `  socket  ${status.socket}`,
    `  http    ${status.httpUrl ?? '-'}`,
    `  jobs    ${status.running} running, ${status.queued} queued, ${status.slots} slots on ${status.host}`,
  ];
  if (status.version !== CB_VERSION) lines.push(`  (this cb is ${CB_VERSION}: the next cb command replaces the daemon)`);
  printLine(streams.stdout, lines.join('\n'));
}
