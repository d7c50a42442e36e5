// ESLint for the whole project: typescript-eslint's recommended rules, plus the layering rules the
// architecture depends on (a pure core, webviews that import only what a browser bundle may).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const adapters = ['vscode', '@kubernetes/client-node', '@langchain/*', '@langchain/**', 'undici', 'node:*'];

export default tseslint.config(
  { ignores: ['dist/', 'out/', '.cluster/', 'test-results/', 'node_modules/', 'test/harness/cluster/go/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      eqeqeq: ['error', 'smart'],
      'no-console': 'off',
      // Text from the cluster is hostile: stripping control characters with a regex is deliberate.
      'no-control-regex': 'off',
    },
  },
  {
    // The adapters read untyped Kubernetes and Prometheus JSON field by field; tests build it.
    files: ['src/cluster/**/*.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Manifest tests match exact indentation on purpose.
    files: ['test/**/*.ts'],
    rules: { 'no-regex-spaces': 'off' },
  },
  {
    // The core is pure TypeScript: no editor, no cluster client, no LangChain.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['vscode', '@kubernetes/client-node', '@langchain/*'],
              message: 'src/core stays pure: adapters live in src/cluster, src/agent and src/ui.',
            },
          ],
        },
      ],
    },
  },
  {
    // Only src/cluster talks to the API server.
    files: ['src/**/*.ts'],
    ignores: ['src/cluster/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@kubernetes/client-node', message: 'Only src/cluster imports the Kubernetes client.' }] },
      ],
    },
  },
  {
    // Webview apps run in a browser: they import protocol types, core/model and chart data builders only.
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: adapters, message: 'A webview runs in the browser: no Node or editor modules.' },
            {
              regex:
                '^\\.\\./\\.\\./src/(?!core/model/|ui/[A-Za-z]+Panel/(protocol|ipc)$|ui/webview/(protocol|ipc)$|core/[a-z]+/[A-Za-z]+Data$)',
              message: 'Webviews import only protocol types, src/core/model and chart data builders (…Data.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', 'test/**/*.ts'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        fetch: 'readonly',
      },
    },
  },
);
