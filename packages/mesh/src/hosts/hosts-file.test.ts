import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addHostEntry, findHostEntry, HostsFileError, readHostsFile, removeHostEntry } from './hosts-file.js';

const at = '2026-11-25T20:00:00.000Z';

describe('hosts.json', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mesh-hosts-file-'));
    path = join(dir, 'home', 'hosts.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('should start empty, add and remove hosts, and write the file 0600 with nothing left behind', async () => {
    expect(await readHostsFile(path)).toEqual({ version: 1, hosts: [] });
    await addHostEntry(path, { name: 'box', spec: 'root@10.0.0.5:2222', addedAt: at });
    await addHostEntry(path, { name: 'mac', spec: 'mac', addedAt: at });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ version: 1, hosts: [{ name: 'box', spec: 'root@10.0.0.5:2222', addedAt: at }, { name: 'mac', spec: 'mac', addedAt: at }] });
    expect(await findHostEntry(path, 'mac')).toMatchObject({ spec: 'mac' });
    expect(await removeHostEntry(path, 'box')).toMatchObject({ name: 'box' });
    expect((await readHostsFile(path)).hosts.map((host) => host.name)).toEqual(['mac']);
  });

  it('should refuse a taken name, an unknown name and a bad name, in words', async () => {
    await addHostEntry(path, { name: 'box', spec: 'box', addedAt: at });
    await expect(addHostEntry(path, { name: 'box', spec: 'other', addedAt: at })).rejects.toMatchObject({ code: 'HOST_EXISTS', message: expect.stringContaining('already') });
    await expect(removeHostEntry(path, 'nope')).rejects.toMatchObject({ code: 'HOST_NOT_FOUND', message: expect.stringContaining('hosts: box') });
    await expect(addHostEntry(path, { name: '-x', spec: 'x', addedAt: at })).rejects.toThrow(/host names are letters/);
  });

  it('should say a corrupt file is corrupt and never replace it', async () => {
    await addHostEntry(path, { name: 'box', spec: 'box', addedAt: at });
    writeFileSync(path, '{"version":1,"hosts":[{"name":"box"}');
    await expect(readHostsFile(path)).rejects.toSatisfy((error) => error instanceof HostsFileError && error.code === 'HOSTS_FILE_INVALID' && /not JSON/.test(error.message));
    await expect(addHostEntry(path, { name: 'mac', spec: 'mac', addedAt: at })).rejects.toMatchObject({ code: 'HOSTS_FILE_INVALID' });
    expect(readFileSync(path, 'utf8')).toBe('{"version":1,"hosts":[{"name":"box"}');
    writeFileSync(path, JSON.stringify({ version: 2, hosts: [] }));
    await expect(readHostsFile(path)).rejects.toThrow(/version/);
    writeFileSync(path, JSON.stringify({ version: 1, hosts: [{ name: 'a', spec: 'a', addedAt: at }, { name: 'a', spec: 'b', addedAt: at }] }));
    await expect(readHostsFile(path)).rejects.toThrow(/appears twice/);
  });

  it('should lose no host when many adds race', async () => {
    const names = Array.from({ length: 12 }, (_, index) => `host-${index}`);
    await Promise.all(names.map((name) => addHostEntry(path, { name, spec: name, addedAt: at })));
    expect((await readHostsFile(path)).hosts.map((host) => host.name).sort()).toEqual([...names].sort());
  });
});
