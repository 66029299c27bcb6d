import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

// What a domain, contract or util lib must never reach for: frameworks and I/O clients stay in
// data-access libs, adapters and apps.
const frameworkAndIo = ['@nestjs/*', 'typeorm', 'pg', 'pg-*', 'kafkajs', 'axios', 'express'];

// Every kind of lib that production code is made of (all but apps and the testing lib).
const PRODUCTION_LIB_TYPES = [
  'type:contracts',
  'type:domain',
  'type:data-access',
  'type:adapter',
  'type:infra',
  'type:util',
];

/** Module boundaries for production code; specs may also use the testing lib. */
const depConstraints = (extraAllowed = []) => [
  { sourceTag: 'type:app', notDependOnLibsWithTags: ['type:app'] },
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: [...PRODUCTION_LIB_TYPES, ...extraAllowed],
  },
  {
    sourceTag: 'type:data-access',
    onlyDependOnLibsWithTags: [
      'type:contracts',
      'type:domain',
      'type:infra',
      'type:util',
      ...extraAllowed,
    ],
  },
  {
    sourceTag: 'type:adapter',
    onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:util', ...extraAllowed],
  },
  {
    sourceTag: 'type:infra',
    onlyDependOnLibsWithTags: ['type:contracts', 'type:infra', 'type:util', ...extraAllowed],
  },
  {
    sourceTag: 'type:domain',
    onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:util', ...extraAllowed],
    bannedExternalImports: frameworkAndIo,
  },
  {
    sourceTag: 'type:util',
    onlyDependOnLibsWithTags: ['type:util', ...extraAllowed],
    bannedExternalImports: frameworkAndIo,
  },
  {
    sourceTag: 'type:contracts',
    onlyDependOnLibsWithTags: [...extraAllowed],
    bannedExternalImports: frameworkAndIo,
  },
  {
    // A testing lib may build on another (the platform harness on the receiver and processes).
    sourceTag: 'type:testing',
    onlyDependOnLibsWithTags: [...PRODUCTION_LIB_TYPES, 'type:testing'],
  },
  {
    // Whole-system tests drive built apps over HTTP and Kafka; they import libs, never apps.
    sourceTag: 'type:e2e',
    onlyDependOnLibsWithTags: [...PRODUCTION_LIB_TYPES, 'type:testing'],
  },
  {
    // Scripts and benchmarks run the platform's libs; they are never imported by them.
    sourceTag: 'type:tool',
    onlyDependOnLibsWithTags: [...PRODUCTION_LIB_TYPES, 'type:testing'],
  },
  {
    sourceTag: 'scope:webhooks',
    onlyDependOnLibsWithTags: ['scope:webhooks', 'scope:shared', ...extraAllowed],
  },
  {
    sourceTag: 'scope:deliveries',
    onlyDependOnLibsWithTags: ['scope:deliveries', 'scope:shared', ...extraAllowed],
  },
  {
    sourceTag: 'scope:events',
    onlyDependOnLibsWithTags: ['scope:events', 'scope:shared', ...extraAllowed],
  },
  {
    sourceTag: 'scope:access',
    onlyDependOnLibsWithTags: ['scope:access', 'scope:shared', ...extraAllowed],
  },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared', ...extraAllowed] },
  {
    // The dashboard talks to the REST API only: of the libs it may read the contracts' types,
    // nothing that runs on the server.
    sourceTag: 'scope:dashboard',
    onlyDependOnLibsWithTags: ['type:contracts', ...extraAllowed],
  },
];

const boundaries = (extraAllowed) => [
  'error',
  {
    enforceBuildableLibDependency: false,
    banTransitiveDependencies: false,
    checkDynamicDependenciesExceptions: [],
    allow: [],
    depConstraints: depConstraints(extraAllowed),
  },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/coverage', '**/.nx', '**/.hookline', '**/tmp'],
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries([]),
      // A lib is used only through its public src/index.ts.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@hookline/*/**'],
              message:
                'Import a lib through its public entry point (@hookline/<lib>), not a deep path.',
            },
          ],
        },
      ],
      'no-console': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: [
      '**/*.spec.ts',
      'libs/shared/testing/**/*.ts',
      'apps/*/src/testing/**/*.ts',
      'libs/**/src/**/testing/**/*.ts',
    ],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(['type:testing', 'scope:testing']),
    },
  },
  {
    // Command-line tools talk to the terminal.
    files: ['tools/**/*.ts', 'tools/**/*.mjs', '**/*.bench.ts'],
    rules: { 'no-console': 'off' },
  },
  prettier,
];
