// One lint config for the whole repository (server, web, tests): typescript-eslint's
// recommendations, Svelte's for components, formatting left to Prettier — and the layering
// rules that keep each folder to its job (see docs/architecture.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import prettier from 'eslint-config-prettier';

/** Packages that do I/O or tie code to a runtime: never in domain/ or contracts/. */
const IO_PACKAGES = [
  'moleculer',
  'moleculer-web',
  'moleculer-repl',
  '@moleculer/channels',
  'mongoose',
  'mongodb',
  'ioredis',
  'nats',
  'ws',
  'bcrypt',
  'rate-limiter-flexible',
  'plaid',
  '@binance/spot',
  'coinbase-api',
  '@coingecko/coingecko-typescript',
  'cockatiel',
  'rxjs',
];
const NODE_IO = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'child_process',
  'dgram',
  'dns',
  'tls',
  'worker_threads',
  'cluster',
];
const nodeIo = NODE_IO.flatMap((m) => [m, `node:${m}`]);

/** Where a layer may not reach, as import paths (relative or by package name). */
const layer = (folders, message) => ({
  regex: `(^|/)(${folders.join('|')})(/|$)`,
  message,
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.cache/**',
      '.data/**',
      'test-results/**',
      'test-artifacts/**',
      'web/.svelte-kit/**',
      'web/build/**',
      'web/node_modules/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['scripts/**', 'bench/**'],
    rules: { 'no-console': 'off' },
  },

  // ── layering ──────────────────────────────────────────────────────────────────────────
  {
    // pure code: no I/O, no framework, no providers, nothing above it
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...IO_PACKAGES, ...nodeIo].map((name) => ({
            name,
            message: 'domain/ is pure: do I/O in services/ or infra/ and pass the result in.',
          })),
          patterns: [
            layer(
              ['services', 'infra', 'mixins', 'providers', 'config', 'scripts', 'web', 'bench', 'test'],
              'domain/ depends only on contracts/ and itself (provider interfaces live in domain/providers.ts).',
            ),
          ],
        },
      ],
    },
  },
  {
    // what server and browser share: types, constants and the view's pure protocol code
    files: ['contracts/**/*.ts'],
    ignores: ['contracts/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./)',
              message:
                'contracts/ stands alone: it imports only its own files, so any side can depend on it.',
            },
          ],
        },
      ],
    },
  },
  {
    // the dashboard: its own code, the contracts, browser and Svelte packages; never server code
    files: ['web/**/*.ts', 'web/**/*.svelte'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: IO_PACKAGES.map((name) => ({
            name,
            message: 'The dashboard reaches the server through the API and the ws gateway only.',
          })),
          patterns: [
            layer(
              ['services', 'infra', 'mixins', 'providers', 'config', 'scripts', 'domain', 'bench'],
              'The web imports @finexia/contracts and #lib, not server modules.',
            ),
          ],
        },
      ],
    },
  },
  {
    // providers reach the outside world; they implement domain interfaces and know nothing of services
    files: ['providers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            layer(
              ['services', 'mixins', 'infra', 'web'],
              'Adapters and simulators stand below the services.',
            ),
          ],
        },
      ],
    },
  },
  {
    // mixins are service behaviour; services talk to each other through the broker, not by import
    files: ['mixins/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            layer(['services', 'web'], 'Mixins and infra serve the services; they do not import them.'),
          ],
        },
      ],
    },
  },

  {
    // infra is the machinery services and mixins stand on: it does not know the mixins
    files: ['infra/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            layer(['services', 'web'], 'Mixins and infra serve the services; they do not import them.'),
            layer(['mixins'], 'infra/ stands below mixins/: a type both need lives in contracts/ or infra/.'),
          ],
        },
      ],
    },
  },
  {
    // a service's room imports its own files and the layers below, never another service's
    files: ['services/*/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./[^.]',
              message:
                'Another service is reached through the broker (callAction, emitEvent), not by import.',
            },
          ],
        },
      ],
    },
  },
  {
    // the users service owns the users collection (auth shares it: sign-in reads the hash); others
    // read a user's preferences through infra/user-preferences.ts
    files: ['services/*/**/*.ts'],
    ignores: ['services/users/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '/infra/models/user\\.model\\.ts$',
              message:
                'Read a user’s preferences with infra/user-preferences.ts; the users service owns the rest.',
            },
            {
              regex: '^\\.\\./[^.]',
              message:
                'Another service is reached through the broker (callAction, emitEvent), not by import.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['services/*.service.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\./',
              message:
                'Another service is reached through the broker (callAction, emitEvent), not by import.',
            },
          ],
        },
      ],
    },
  },

  {
    // each broker has its config (configOf(broker)); only config/ reads the environment
    files: ['services/**/*.ts', 'mixins/**/*.ts', 'infra/**/*.ts', 'providers/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read the broker’s config with configOf(this.broker); only config/ reads the environment.',
        },
      ],
    },
  },
  {
    // one way to type a service (docs/architecture.md, "How a service is typed")
    files: ['services/**/*.service.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "VariableDeclarator > Identifier > TSTypeAnnotation > TSTypeReference[typeName.name='ServiceSchema']:not([typeArguments])",
          message: 'Type the schema: ServiceSchema<Settings, Methods, Vars> (docs/architecture.md).',
        },
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read the broker’s config with configOf(this.broker); only config/ reads the environment.',
        },
      ],
    },
  },

  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  prettier,
);
