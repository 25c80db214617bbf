// Layering is enforced here as well as by the per-layer tsconfigs: shared/ may import
// nothing runtime-specific, the renderer never imports main/, main/ never imports the
// renderer, and each folder of main/ imports only the folders DEVELOPERS.md's table allows.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

// The layers of main/ and the other folders of main/ each may import (DEVELOPERS.md, "Layers").
// The cli may import everything; only electron/ may import Electron itself.
const mainLayers = {
  engine: [],
  worker: ['engine', 'worker-link'],
  'worker-link': [],
  host: ['worker-link'],
  server: ['host'],
  electron: ['host'],
};
const notTheRenderer = { group: ['**/renderer/**', '@kitware/*', 'svelte', 'svelte/*'], message: 'main/ does not import the renderer' };
const mainLayerRules = Object.entries(mainLayers).map(([layer, allowed]) => {
  const forbidden = Object.keys(mainLayers).concat('cli').filter((other) => other !== layer && !allowed.includes(other));
  const patterns = [notTheRenderer, { regex: `^(\\.\\./)+(main/)?(${forbidden.join('|')})(/|$)`, message: `main/${layer} may import only ${allowed.map((a) => `main/${a}, `).join('')}shared/ and packages` }];
  if (layer !== 'electron') patterns.push({ regex: '^electron(/|$)', message: `main/${layer} runs without Electron` });
  return { files: [`main/${layer}/**/*.ts`], rules: { 'no-restricted-imports': ['error', { patterns }] } };
});

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.bench/**', '.tmp/**', 'dist-portable/**', '.device-kit/**'] },
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
    rules: { 'no-restricted-imports': ['error', { patterns: [notTheRenderer] }] },
  },
  // Later entries replace the rule for their files, so each layer's patterns repeat notTheRenderer.
  ...mainLayerRules,
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
);
