import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'bench/.work/**', '.reelflow/**', '**/*.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      // Packages are imported by name and their index, never by a path into another src.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/packages/*/src/**', '@reelflow/*/src/**'],
              message: 'Import the package by its name.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      // Model, semantics and library are pure: no effects, no UI.
      'no-restricted-imports': [
        'error',
        {
          paths: [
            'fs',
            'node:fs',
            'child_process',
            'node:child_process',
            'net',
            'node:net',
            'http',
            'node:http',
            'dockerode',
            'express',
            'socket.io',
            'react',
          ].map((name) => ({ name, message: 'Pure packages have no effects.' })),
          patterns: [
            {
              group: ['**/packages/*/src/**', '@reelflow/*/src/**'],
              message: 'Import the package by its name.',
            },
          ],
        },
      ],
    },
  },
);
