import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60000,
    hookTimeout: 60000,
    pool: 'forks',
    include: ['src/**/*.test.ts'],
    // Two files at a time even on 2 cores (vitest's default there is one): the slow files mostly wait
    // on tmux, the agent CLIs and their fake model servers. Each file's daemon has its own home,
    // tmux socket and ports.
    maxWorkers: 2,
  },
});
