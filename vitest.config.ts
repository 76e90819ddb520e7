import { defineConfig } from 'vitest/config';

/** Pure logic, no child processes, browsers or mail servers: the inner loop (`npm run test:unit`, well under 30 s). */
const UNIT = ['server/**/*.test.ts', 'widget/**/*.test.ts', 'test/widget/units.test.ts'];

export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: keep parallel test files modest so timing-sensitive suites stay stable.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    // `npm test` runs both; `vitest run --project unit` only the first.
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      // The real app with the Kommo simulator, worker child processes, mail servers, Chromium.
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts', 'scripts/**/*.test.ts'], exclude: UNIT } },
    ],
  },
});
