// The tests Stryker runs against each mutant of machines/: the pure machine tests (in-process,
// fast), which are the ones that must kill every mutant of a decision.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/machines/**/*.test.ts'],
    env: { MODEL_BOUND: '3' },
    testTimeout: 120_000,
  },
});
