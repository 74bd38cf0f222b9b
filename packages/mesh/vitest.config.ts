import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60000,
    hookTimeout: 60000,
    pool: 'forks',
    include: ['src/**/*.test.ts'],
    // Two files at a time even on 2 cores (vitest's default there is one): the slow files mostly wait
    // on SSH, tmux and child processes. Files share nothing fixed: namespace hosts lease their own
    // network, every tmux server and sshd has its own socket, port and directory.
    maxWorkers: 2,
    // A scratch directory for the run (the cb bundle the bootstrap files pack once and share).
    globalSetup: ['src/test-support/shared-scratch.global-setup.ts'],
  },
});
