// Layering is enforced here as well as by the per-layer tsconfigs: shared/ may import
// nothing runtime-specific, the renderer never imports main/, and main/ never imports
// the renderer.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.bench/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: restrict(['node:*', 'fs', 'path', 'electron', '@tensorflow/*', 'itk-wasm', '@itk-wasm/*', '@kitware/*', '../main/*', '../../main/*', '../renderer/*', '../../renderer/*'], 'shared/ is pure: no runtime-specific imports'),
  },
  {
    files: ['renderer/src/**/*.ts', 'renderer/src/**/*.svelte'],
    languageOptions: { globals: { ...globals.browser } },
    rules: restrict(['node:*', 'fs', 'path', 'electron', '**/main/**', '@tensorflow/*', 'itk-wasm', '@itk-wasm/*'], 'the renderer talks to the engine only through the contract'),
  },
  {
    files: ['renderer/dev/**/*.ts', 'renderer/dev/**/*.svelte'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['main/**/*.ts'],
    rules: restrict(['**/renderer/**', '@kitware/*', 'svelte', 'svelte/*'], 'main/ does not import the renderer'),
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
);
