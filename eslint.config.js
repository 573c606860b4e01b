// Lint: typescript-eslint's strict, type-checked rules over the engine, the CLI and the tests.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '**/*.cjs', '**/*.js'] },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Messages for people are built with numbers in them (counts, line and column): that is their point.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `_unused` names a value deliberately left out of a destructuring.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Methods implementing an async interface (Authenticator.headers, Paginator.next, MessageWriter.emit) stay async without awaiting.
      '@typescript-eslint/require-await': 'off',
      // A one-line callback that calls a void function (`(message) => logger.log('WARN', message)`) reads as what it is.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  {
    // Tests read the connector's output as parsed JSON and assert its shape: a wrong assumption about it fails the
    // test, which is the check. Type-safety rules about `any` and `!` would only restate each assertion as a cast.
    files: ['tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Simulators index into request paths and queries that TypeScript types as always present; the checks are real.
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
);
