import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/**/*.test.ts', 'src/**/test-support/**'],
      reporter: ['text-summary', 'text'],
      thresholds: {
        statements: 85,
        'src/keys/**': { statements: 90 },
        'src/security/**': { statements: 90 },
      },
    },
  },
});
