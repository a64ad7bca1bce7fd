// ESLint for the TypeScript of src/, test/, bench/, dashboards/ and mixin/: typescript-eslint's strict, type-checked rules.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '**/*.js', '**/*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Numbers and booleans read fine in messages (`${count} containers`); objects and undefined do not.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `return done(err)` in a callback is Node's idiom for "call and stop"; `() => res.send()` says what it means.
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // `const { skipped: _, ...kept } = x` keeps the rest on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // jest's asymmetric matchers (expect.any, expect.stringMatching, expect.arrayContaining) are typed any.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      // Fakes implement async interfaces with answers they already have.
      '@typescript-eslint/require-await': 'off',
    },
  },
);
