import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    // Real itk-wasm, tfjs and registrations: give them room, but no test is a timing test.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: run files two at a time so heavy registrations do not starve each other.
    maxWorkers: 2,
  },
});
