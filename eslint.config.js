import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import security from 'eslint-plugin-security';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { security },
    rules: {
      ...security.configs.recommended.rules,
      // Object-injection fires on every computed property access; with noUncheckedIndexedAccess
      // and zod-validated inputs it is noise, not signal.
      'security/detect-object-injection': 'off',
      // Paths in this project are built from the LocalAgent home and validated config, never
      // from raw network input; the sandbox does its own confinement checks.
      'security/detect-non-literal-fs-filename': 'off',
      'no-console': 'error',
    },
  },
  {
    // Tests build odd inputs on purpose (regexps from paths, attack strings); the security rules guard shipped code.
    files: ['src/**/*.test.ts'],
    rules: { 'security/detect-non-literal-regexp': 'off', 'security/detect-unsafe-regex': 'off' },
  },
  {
    // The CLI's output module is the one place that writes to the terminal.
    files: ['src/cli/output.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
);
