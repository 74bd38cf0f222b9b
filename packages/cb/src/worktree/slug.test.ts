import { describe, expect, it } from 'vitest';
import { defaultBranchName, shortJobId, slugify } from './slug.js';

describe('slugify', () => {
  it('should kebab-case the first words of the prompt', () => {
    expect(slugify('Fix the flaky login test in CI!')).toBe('fix-the-flaky-login-test-in-ci');
  });

  it('should stop at a word boundary within 40 characters', () => {
    const slug = slugify('Refactor the authentication middleware so that every route shares one session store');
    expect(slug).toBe('refactor-the-authentication-middleware');
    expect(slug.length).toBeLessThanOrEqual(40);
  });

  it('should cut a single overlong word and drop accents and symbols', () => {
    expect(slugify('x'.repeat(60))).toHaveLength(40);
    expect(slugify('Élan — café: naïve “résumé”')).toBe('elan-cafe-naive-resume');
  });

  it('should fall back to job when nothing usable is left', () => {
    expect(slugify('？！ 日本語')).toBe('job');
  });
});

describe('defaultBranchName', () => {
  it('should combine the lowercased ULID tail with the slug', () => {
    expect(shortJobId('01JD8X3Q5ZK7M2N4P6R8T0V2W4')).toBe('r8t0v2w4');
    expect(defaultBranchName('01JD8X3Q5ZK7M2N4P6R8T0V2W4', 'Add a README')).toBe('flotilla/r8t0v2w4-add-a-readme');
  });
});
