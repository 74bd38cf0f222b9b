/** Branch names stay readable in `git branch` and terminal tabs. */
export const MAX_SLUG_LENGTH = 40;

/**
 * A lowercase-kebab slug of the prompt's first words, at most 40 characters; `job` when nothing usable is left.
 *
 * @example
 *   slugify('Fix the flaky login test in CI!'); // 'fix-the-flaky-login-test-in-ci'
 */
export function slugify(prompt: string): string {
  const words = prompt
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
  let slug = '';
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > MAX_SLUG_LENGTH) {
      if (!slug) slug = word.slice(0, MAX_SLUG_LENGTH);
      break;
    }
    slug = next;
  }
  return slug || 'job';
}

/**
 * The last 8 characters of a job's ULID, lowercased: the random part, so jobs created
 * in the same millisecond still differ.
 *
 * @example
 *   shortJobId('01JD8X3Q5ZK7M2N4P6R8T0V2W4'); // 'r8t0v2w4'
 */
export function shortJobId(jobId: string): string {
  return jobId.slice(-8).toLowerCase();
}

/**
 * The branch a job's worktree gets unless the user names one.
 *
 * @example
 *   defaultBranchName('01JD8X3Q5ZK7M2N4P6R8T0V2W4', 'Fix login'); // 'flotilla/r8t0v2w4-fix-login'
 */
export function defaultBranchName(jobId: string, prompt: string): string {
  return `flotilla/${shortJobId(jobId)}-${slugify(prompt)}`;
}
