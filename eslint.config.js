import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const electronOnlyInShell = {
  'no-restricted-imports': ['error', {
    paths: [{ name: 'electron', message: "Only main/shell/ and preload/index.ts may import 'electron' (everything else must run under plain Node).", allowTypeImports: true }],
  }],
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', fetch: 'readonly', performance: 'readonly', structuredClone: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', Headers: 'readonly', window: 'readonly', document: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  { files: ['main/**/*.ts', 'preload/**/*.ts', 'renderer/**/*.{ts,tsx}', 'test/**/*.ts'], ignores: ['main/shell/**', 'preload/index.ts'], rules: electronOnlyInShell },
  {
    // The MCP server's stdout is protocol: nothing may print to it.
    files: ['main/mcp/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
);
