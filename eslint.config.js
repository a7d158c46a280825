// ESLint flat config: typescript-eslint strict, plus the layering rules of
// docs/ARCHITECTURE.md: Electron stays out of the engine, the CLI and app/common; each area
// of the engine and of the CLI is entered only through its index.ts, and an area imports
// only the areas on the floors below it (as VS Code's layer check does for its folders).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noElectron = {
  paths: [{ name: 'electron', message: 'The engine and app/common must run under plain Node.' }],
  patterns: [{ group: ['**/electron/**'], message: 'The engine must not reach into adapters.' }],
};

/** Each area and the areas it may import (their faces); anything else is above it. */
const floors = {
  'app/main/engine': {
    base: [],
    node: ['base'],
    imap: ['base'],
    setup: ['base', 'imap'],
    // act: the popup buttons' types (what an action is, what it answers).
    popups: ['base', 'act'],
    auth: ['base', 'imap'],
    check: ['base', 'imap', 'auth'],
    act: ['base', 'imap'],
    preview: ['base', 'imap', 'popups'],
    watch: ['base', 'imap', 'auth', 'setup', 'act', 'preview'],
  },
  'app/main/cli': {
    output: [],
    credentials: [],
    config: ['credentials'],
    hooks: ['output'],
    service: ['config'],
    commands: ['output', 'credentials', 'config', 'hooks', 'service'],
  },
};

/** Import patterns (as written, relative) that reach into `area` past its face. */
const pastFace = (area) => [`**/${area}/*`, `!**/${area}/index.js`];

/**
 * One rule block per area: its own files import siblings freely, the faces of the areas
 * below it, and nothing of the areas above; everything else in app/ only the faces.
 */
function layerRules() {
  const blocks = [];
  const allFaces = [];
  for (const [root, areas] of Object.entries(floors)) {
    for (const area of Object.keys(areas)) allFaces.push(...pastFace(area));
    for (const [area, below] of Object.entries(areas)) {
      const above = Object.keys(areas).filter((other) => other !== area && !below.includes(other));
      const patterns = [
        ...noElectron.patterns,
        {
          group: Object.keys(areas)
            .filter((other) => other !== area)
            .flatMap(pastFace),
          message: `From ${root}/${area}, another area is entered through its index.ts only.`,
        },
      ];
      if (above.length > 0) {
        patterns.push({
          group: above.map((other) => `**/${other}/**`),
          message: `${root}/${area} may import only ${below.join(', ') || 'no other area'}.`,
        });
      }
      if (root === 'app/main/engine') {
        patterns.push({ group: ['**/cli/**'], message: 'The engine does not know the CLI.' });
        patterns.push({
          group: ['**/freedesktop/**'],
          message: 'The engine stays platform-neutral: the OS bus is app/main/freedesktop.',
        });
      }
      blocks.push({
        files: [`${root}/${area}/**`],
        rules: { 'no-restricted-imports': ['error', { paths: noElectron.paths, patterns }] },
      });
    }
  }
  // The rest of app/ (roots, adapters, the composition root) uses faces only.
  blocks.unshift({
    files: ['app/main/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: allFaces,
              message: 'An area of the engine or the CLI is entered through its index.ts only.',
            },
          ],
        },
      ],
    },
  });
  return blocks;
}

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
  ...layerRules(),
  {
    files: ['app/main/engine/*.ts', 'app/main/cli/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: noElectron.paths,
          patterns: [
            ...noElectron.patterns,
            {
              group: Object.values(floors).flatMap((areas) => Object.keys(areas).flatMap(pastFace)),
              message: 'An area is entered through its index.ts only.',
            },
          ],
        },
      ],
    },
  },
  {
    // Linux popups over D-Bus, shared by the desktop app and the CLI: neither of them, and
    // the engine through its faces only.
    files: ['app/main/freedesktop/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: noElectron.paths,
          patterns: [
            ...noElectron.patterns,
            { group: ['**/cli/**'], message: 'app/main/freedesktop does not know the CLI.' },
            {
              group: Object.keys(floors['app/main/engine']).flatMap(pastFace),
              message: 'An area of the engine is entered through its index.ts only.',
            },
          ],
        },
      ],
    },
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
