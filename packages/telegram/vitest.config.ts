import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60000,
    hookTimeout: 60000,
    pool: 'forks',
    include: ['src/**/*.test.ts'],
    // Two files at a time even on 2 cores (vitest's default there is one): the e2e files mostly wait
    // on the daemon, the fake Bot API and the agents. Each file has its own homes and ports.
    maxWorkers: 2,
  },
});
