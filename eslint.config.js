import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const electronOnlyInShell = {
  'no-restricted-imports': [
    'error',
    {
      paths: [
        {
          name: 'electron',
          message: "Only main/shell/ and preload/index.ts may import 'electron' (everything else must run under plain Node).",
          allowTypeImports: true,
        },
      ],
    },
  ],
};

// The floors: which layer may import which (CONTRIBUTING.md explains them). Paths are resolved from the importing
// file, so `../../mcp/x.ts` and a dynamic `import('../local/y.ts')` are both caught. Lower floors first:
// preload/contract.ts < main/core < main/mcp, main/local < main/app, main/cli < main/shell, main/index.ts.
const floor = (target, from, message, except) => ({ target, from, message, ...(except ? { except } : {}) });
const floors = {
  'import-x/no-restricted-paths': [
    'error',
    {
      basePath: import.meta.dirname,
      zones: [
        floor(
          './main/core',
          ['./main/mcp', './main/local', './main/app', './main/shell', './main/cli', './main/cli.ts', './main/index.ts'],
          'main/core is the ground floor: it imports nothing from main/{mcp,local,app,shell,cli}. Move what both need down into main/core, or pass it in as a parameter.',
        ),
        floor(
          './main/core/billing',
          './main/core/auth',
          'main/core/billing imports nothing from main/core/auth (auth picks an organization from billing, not the other way round): move what both need to main/core.',
        ),
        floor(
          ['./main/mcp', './main/local'],
          ['./main/app', './main/shell', './main/cli', './main/cli.ts', './main/index.ts'],
          'main/mcp and main/local are programs of their own: they import nothing from main/{app,shell,cli}. Pass what they need in from the caller.',
        ),
        floor(
          './main/app',
          ['./main/shell', './main/cli', './main/cli.ts', './main/index.ts'],
          "main/app is shared by every shell: it imports nothing from main/{shell,cli}. Pass the shell's part in through its port.",
        ),
        floor('./main/local', './main/mcp', 'main/local imports nothing from main/mcp.'),
        floor(
          './main/mcp',
          './main/local',
          'main/mcp reaches the local provider only through its port, main/local/provider-port.ts: export what you need from there.',
          ['./provider-port.ts'],
        ),
        floor(
          './preload',
          './main',
          "preload/ imports nothing from main/: the contract stands alone. Conversions from main's types belong in main/app.",
        ),
        floor(
          './renderer',
          './main',
          'renderer/ never imports main/: it talks to main through renderer/src/bridge.ts and the types in preload/contract.ts.',
        ),
        floor(
          './renderer',
          './preload',
          "renderer/ imports only preload/contract.ts from preload/, and its build config the page's policy (preload/window-csp.ts).",
          ['./contract.ts', './window-csp.ts'],
        ),
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
        structuredClone: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        Headers: 'readonly',
        window: 'readonly',
        document: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['main/**/*.ts', 'preload/**/*.ts', 'renderer/**/*.{ts,tsx}', 'test/**/*.ts'],
    ignores: ['main/shell/**', 'preload/index.ts'],
    rules: electronOnlyInShell,
  },
  {
    files: ['main/**/*.ts', 'preload/**/*.ts', 'renderer/**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] })] },
    rules: floors,
  },
  {
    // The renderer's one way to main is its bridge module.
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/src/bridge.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'window', property: 'bridge', message: 'Reach main through renderer/src/bridge.ts (useBridge()), not window.bridge.' },
      ],
    },
  },
  {
    // Small modules named for what they do (CONTRIBUTING.md): a file under main/ past 400 lines is split by concern.
    files: ['main/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }],
    },
  },
  {
    // The MCP server's stdout is protocol: nothing may print to it.
    files: ['main/mcp/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
);
