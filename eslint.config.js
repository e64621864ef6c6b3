// ESLint flat config: typescript-eslint's recommended rules, CONVENTIONS §6 for core/, and
// DESIGN.md's layering: each core/ folder may import only from folders above it in the list.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** core/ layers, inside out (DESIGN.md). A layer imports only from layers before it. */
const layers = [
  'wire',
  'crypto',
  'transport',
  'auth',
  'connection',
  'sftp',
  'agent',
  'keys',
  'hosts',
  'config',
  'client',
  'server',
  'service',
  'cli',
];

const layerRules = layers.map((layer, i) => ({
  files: [`core/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...(i + 1 < layers.length
            ? [
                {
                  group: layers
                    .slice(i + 1)
                    .flatMap((l) => [`../${l}/*`, `../../${l}/*`, `../../../${l}/*`]),
                  message: `core/${layer} may not import from a later layer (DESIGN.md layering).`,
                },
              ]
            : []),
          { group: ['electron'], message: 'core/ has no Electron imports.' },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.toolchain/', 'coverage/', 'tmp/', 'release/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'error' },
  },
  ...layerRules,
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'electron'],
              message: 'renderer/ runs sandboxed: no Node, no Electron.',
            },
            {
              // from core/ only the contract and the three browser-safe api/ modules
              regex: '^(\\.\\./)+core/(?!service/api/(contract|client|frames|errors|bridge)\\.js$)',
              message:
                'renderer/ imports from core only api/contract.js (types) and api/client.js, frames.js, errors.js, bridge.js.',
            },
            {
              regex: '^(\\.\\./)+core/service/api/contract\\.js$',
              allowTypeImports: true,
              message: 'renderer/ imports the contract only as types.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  // Sandboxed preloads must be CommonJS; `import x = require()` is how TypeScript writes that.
  { files: ['electron/**/*.cts'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
