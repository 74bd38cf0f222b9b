/**
 * `/api/hosts` on the hub: the fleet's hosts with their link state and load; adding and removing
 * one writes `hosts.json` (the same file `mesh hosts add|rm` writes) and applies it at once. A
 * new host's key is checked by its link: an unknown one shows `refused` with the fingerprint
 * until `mesh hosts trust NAME`.
 */
import { Hono } from 'hono';
import { AddHostRequestSchema, ProtocolError } from '@flotilla/protocol';
import { addHostEntry, FleetHostNameSchema, HostsFileError, removeHostEntry } from '../hosts/hosts-file.js';
import { jsonBody } from './board-routes-http.js';
import type { Hub } from './hub.js';

export function hostRoutes(hub: Hub, hostsFile: string): Hono {
  const app = new Hono();
  app.get('/', (c) => c.json(hub.hosts()));
  app.post('/', async (c) => {
    const request = await jsonBody(c, AddHostRequestSchema);
    const name = FleetHostNameSchema.safeParse(request.name ?? defaultName(request.spec));
    if (!name.success) throw new ProtocolError('VALIDATION_FAILED', `name: ${name.error.issues[0]?.message ?? 'invalid'}`, { fix: 'give the host a name (letters, digits, ".", "_", "-")' });
    await hostsFileCall(() => addHostEntry(hostsFile, { name: name.data, spec: request.spec, addedAt: new Date().toISOString() }));
    await hub.reloadHosts();
    return c.json(hub.hosts().find((host) => host.name === name.data), 201);
  });
  app.delete('/:name', async (c) => {
    await hostsFileCall(() => removeHostEntry(hostsFile, c.req.param('name')));
    await hub.reloadHosts();
    return c.json(hub.hosts());
  });
  return app;
}

/** `user@box:2222` → `box`; an alias stays itself. */
function defaultName(spec: string): string {
  return spec.replace(/^ssh:\/\//, '').replace(/^[^@]*@/, '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
}

async function hostsFileCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof HostsFileError)) throw error;
    const code = error.code === 'HOST_EXISTS' ? 'CONFLICT' : error.code === 'HOST_NOT_FOUND' ? 'HOST_NOT_FOUND' : 'INTERNAL';
    throw new ProtocolError(code, error.message, { fix: error.fix });
  }
}
