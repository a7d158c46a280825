// ESLint flat config: typescript-eslint strict, plus the layering rules of DESIGN.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noElectron = {
  paths: [{ name: 'electron', message: 'The engine and app/common must run under plain Node.' }],
  patterns: [{ group: ['**/electron/**'], message: 'The engine must not reach into adapters.' }],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'bench/out/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['app/main/engine/**', 'app/common/**', 'app/main/cli/**'],
    rules: { 'no-restricted-imports': ['error', noElectron] },
  },
  {
    files: ['app/common/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...noElectron,
          patterns: [
            ...noElectron.patterns,
            { group: ['**/main/**', 'node:*'], message: 'app/common imports no runtime.' },
          ],
        },
      ],
    },
  },
  {
    files: ['bin/**', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
