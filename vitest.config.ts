import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    env: { TZ: 'UTC' },
    testTimeout: 30_000,
    // Two files at a time, also on a 2-core machine (vitest's default there is one): most test time is
    // waiting on child processes, servers, PostgreSQL and the browser, so the suite takes about half as
    // long (CI's budget is 20 minutes). Tests make their own folders, ports and databases, so files never
    // share state.
    maxWorkers: 2,
  },
});
