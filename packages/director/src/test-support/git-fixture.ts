import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { makeGitRepo } from '@flotilla/testkit';
import { git } from '../git/run-git.js';

export interface RepoWithRemote {
  /** The user's checkout, on `main`, with `origin` pointing at `remote`. */
  repo: string;
  /** A bare repository standing in for the hosted remote. */
  remote: string;
}

/** A real checkout on `main` with one commit, and (unless `remote: false`) a bare `origin` it was pushed to. */
export async function makeRepoWithRemote(dir: string, name: string, options: { remote?: boolean } = {}): Promise<RepoWithRemote> {
  const repo = join(dir, name);
  const remote = join(dir, `${name}.git`);
  await mkdir(repo, { recursive: true });
  await makeGitRepo(repo);
  if (options.remote !== false) {
    await git(dir, ['init', '--quiet', '--bare', '-b', 'main', remote]);
    await git(repo, ['remote', 'add', 'origin', remote]);
    await git(repo, ['push', '--quiet', 'origin', 'main']);
  }
  return { repo, remote };
}

/** The branches of a (bare) repository. */
export async function branchesOf(repo: string): Promise<string[]> {
  const out = await git(repo, ['for-each-ref', '--format=%(refname:short)', 'refs/heads']);
  return out === '' ? [] : out.split('\n').sort();
}
