/**
 * A fleet host's `cb doctor` through the hub: `GET /api/hosts/:name/doctor` (and the same as
 * `GET /api/doctor?host=NAME`, the dispatch's style) asks that host's cb daemon over its link for
 * its `/api/doctor` report and answers it with the host's fleet name. A host the hub does not
 * drive through a daemon has no doctor: unreachable (503 HOST_UNREACHABLE), not attached yet or
 * driven bare through tmux (503 DAEMON_UNAVAILABLE), each with the fix.
 */
import type { Context, Hono } from 'hono';
import { DoctorReportSchema, ProtocolError, errorFromEnvelope, type DoctorReport } from '@flotilla/protocol';
import { reachable, requireHost } from './fleet-proxy.js';
import type { Hub } from './hub.js';

/**
 * `cb doctor` may probe a credential with one live prompt; the hub waits as long as a user would,
 * not forever (a link that hangs mid-answer).
 */
const DOCTOR_TIMEOUT_MS = 120_000;

export function hostDoctorRoutes(app: Hono, hub: Hub): void {
  app.get('/api/hosts/:name/doctor', async (c) => c.json(await hostDoctor(hub, c.req.param('name'))));
  app.get('/api/doctor', async (c) => c.json(await hostDoctor(hub, hostOf(c, hub))));
}

/** The named host's doctor report, from its own cb daemon. */
export async function hostDoctor(hub: Hub, name: string): Promise<DoctorReport> {
  const connection = requireHost(hub, name);
  const transport = reachable(connection);
  const host = connection.host();
  if (host.mode === 'tmux') {
    throw new ProtocolError('DAEMON_UNAVAILABLE', `${name} is driven bare through tmux (${host.modeReason ?? 'cb does not run there'}): no cb daemon runs there to run the doctor`, {
      fix: `install cb there with \`mesh hosts bootstrap ${name}\``,
    });
  }
  if (host.mode !== 'daemon') {
    throw new ProtocolError('DAEMON_UNAVAILABLE', `the hub is not attached to a cb daemon on ${name} yet${host.error ? `: ${host.error}` : ''}`, {
      fix: `see \`mesh hosts ls\`; the hub starts the daemon by itself once \`cb daemon start\` can run on ${name}`,
    });
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProtocolError('HOST_UNREACHABLE', `${name}'s doctor did not answer within ${DOCTOR_TIMEOUT_MS / 1000} s`, { fix: `run \`cb doctor\` on ${name} to see which check hangs` })), DOCTOR_TIMEOUT_MS);
    timer.unref();
  });
  const res = await Promise.race([transport.request({ method: 'GET', path: '/api/doctor' }), timeout]).finally(() => clearTimeout(timer));
  if (res.status === 404) {
    throw new ProtocolError('VERSION_MISMATCH', `the cb daemon on ${name} has no doctor route (cb ${host.cbVersion ?? 'of an unknown version'})`, {
      fix: `upgrade cb on ${name} (\`mesh hosts bootstrap ${name}\`)`,
    });
  }
  if (res.status >= 400) throw errorFromEnvelope(res.status, res.body);
  const report = DoctorReportSchema.safeParse(res.body);
  if (!report.success) {
    throw new ProtocolError('INTERNAL', `the cb daemon on ${name} answered its doctor with something else: ${report.error.issues[0]?.message ?? 'invalid'}`, {
      fix: `run \`cb doctor\` on ${name}; upgrade cb there if its version differs from the hub's`,
    });
  }
  return { ...report.data, host: name };
}

/** `?host=NAME`, or the fleet's only host. */
function hostOf(c: Context, hub: Hub): string {
  const given = c.req.query('host');
  if (given !== undefined && given !== '') return given;
  const hosts = hub.hosts();
  if (hosts.length === 1) return hosts[0]!.name;
  throw new ProtocolError('VALIDATION_FAILED', `this hub has ${hosts.length} hosts: say whose doctor (?host=NAME, or GET /api/hosts/NAME/doctor)`, {
    fix: 'see `mesh hosts ls` for their names',
  });
}
