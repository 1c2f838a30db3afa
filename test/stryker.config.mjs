// Mutation testing of the pure machines (`npm run test:mutation`): Stryker 9 (10 needs Node 22).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: ['machines/**/*.ts', '!machines/index.ts'],
  testRunner: 'vitest',
  vitest: { configFile: 'test/vitest.mutation.config.ts' },
  coverageAnalysis: 'perTest',
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'test-output/mutation.json' },
  tempDirName: 'test-output/.stryker-tmp',
  concurrency: 2,
  thresholds: { high: 95, low: 90, break: 90 },
  timeoutMS: 60_000,
};
