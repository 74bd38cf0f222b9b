import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * Every process (of this user, as far as the OS lets us read) whose environment sets `name`, with
 * the value: how processes a session or job started are found after their parent is gone.
 * Linux reads `/proc/<pid>/environ`; macOS parses `ps -E` (`eww`) output.
 */
export async function processesWithEnv(name: string): Promise<Map<number, string>> {
  return process.platform === 'linux' ? processesWithEnvLinux(name) : processesWithEnvPs(name);
}

async function processesWithEnvLinux(name: string): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  const prefix = `${name}=`;
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
  await Promise.all(
    pids.map(async (pid) => {
      let environ: string;
      try {
        environ = await readFile(`/proc/${pid}/environ`, 'utf8');
      } catch {
        return; // gone, or not ours to read
      }
      const entry = environ.split('\0').find((e) => e.startsWith(prefix));
      if (entry !== undefined) found.set(Number(pid), entry.slice(prefix.length));
    }),
  );
  return found;
}

async function processesWithEnvPs(name: string): Promise<Map<number, string>> {
  const { stdout } = await execFileAsync('ps', ['-A', '-E', '-ww', '-o', 'pid=,command='], { maxBuffer: 64 * 1024 * 1024 });
  const found = new Map<number, string>();
  const pattern = new RegExp(`(?:^|\\s)${name.replace(/[^A-Za-z0-9_]/g, '')}=(\\S+)`);
  for (const line of stdout.split('\n')) {
    const match = /^\s*(\d+)\s+(.*)$/.exec(line);
    const value = match?.[2] ? pattern.exec(match[2])?.[1] : undefined;
    if (match?.[1] && value !== undefined) found.set(Number(match[1]), value);
  }
  return found;
}
