// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='parseFloat']", message: 'Money and rates use decimal.js, never parseFloat.' },
      ],
    },
  },
  {
    // Domain folders are pure: no framework, no ORM, no I/O (STYLE.md).
    files: ['src/**/domain/**/*.ts'],
    ignores: ['src/**/domain/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@nestjs/*', 'typeorm', 'typeorm/*', 'bullmq', 'pg', 'ioredis', 'express'], message: 'src/**/domain/ stays pure: no framework or ORM imports.' },
            { group: ['fs', 'node:fs', 'fs/*', 'node:fs/*', 'http', 'node:http', 'net', 'node:net', 'child_process'], message: 'src/**/domain/ does no I/O.' },
            { group: ['**/*.entity', '**/*.service', '**/*.module', '**/*.controller'], message: 'src/**/domain/ imports only other pure code.' },
          ],
        },
      ],
    },
  },
);
