// ESLint for the whole workspace (ADR 0017). Each Nx project's `lint` target
// runs `eslint <project root>` with this file; tools/lint/boundaries.spec.ts
// proves that the boundary rules below fail a deliberate violation.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { defineConfig } from 'eslint/config';

/** Test code: specs, the test folders beside an app's src, and an app's src/testing helpers (left out of its build). */
const TEST_FILES = ['**/*.spec.ts', 'apps/*/test/**/*.ts', 'apps/*/src/testing/**/*.ts'];

/**
 * Which project may depend on which, by the tags in each project.json.
 * Apps and e2e projects can never be imported by anyone (Nx refuses that
 * whatever the tags say); libs/testing only from test code.
 */
function depConstraints({ testCode }) {
  const libs = testCode ? ['type:lib', 'type:testing'] : ['type:lib'];
  return [
    { sourceTag: 'type:app', onlyDependOnLibsWithTags: libs },
    { sourceTag: 'type:lib', onlyDependOnLibsWithTags: libs },
    // The contracts are the one thing every service and module shares: they depend on no other project.
    { sourceTag: 'scope:contracts', onlyDependOnLibsWithTags: ['scope:contracts'] },
    { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib'] },
    { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
    { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
    { sourceTag: 'type:example', onlyDependOnLibsWithTags: ['type:lib'] },
    { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
  ];
}

/**
 * The one door into an app for e2e and bench: `apps/<app>/src/testing-api.ts`
 * (a regular expression on the import as written, relative from e2e/ or bench/).
 */
const APP_TESTING_API = '^(\\.\\./)+apps/[a-z0-9-]+/src/testing-api$';

/** The standalone examples (examples/<name>/...), which e2e runs and imports as their readers would. */
const EXAMPLES = '^(\\.\\./)+examples/[a-z0-9-]+/[a-z0-9-]+$';

function boundaries({ testCode = false, allow = [] } = {}) {
  return ['error', { allow, depConstraints: depConstraints({ testCode }) }];
}

/** Packages only one place may import (`@typescript-eslint/no-restricted-imports`, which also sees `import x = require()`). */
const ASN1 = { group: ['asn1js', 'asn1js/*', 'pkijs', 'pkijs/*', '@peculiar/*'], message: 'ASN.1 stays in libs/x509: use @signet/x509.' };
const ORM = { group: ['typeorm', 'typeorm/*'], message: 'The database stays in apps/ca-core (and the front doors\' own state in apps/intermediary: src/acme, ADR 0035; src/scep/database and scep.store.ts, ADR 0040).' };
const PG = { group: ['pg', 'pg/*'], message: 'The database stays in apps/ca-core and apps/intermediary/src/acme (e2e and bench may use pg to set up databases).' };
const restrict = (...patterns) => ['error', { patterns }];

export default defineConfig(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', 'tmp/**', '.nx/**'] },

  // Plain JavaScript: Jest configs, worker scripts, the lint probe runner (Node, CommonJS or ESM).
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },

  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': boundaries(),
      '@typescript-eslint/no-restricted-imports': restrict(ASN1, ORM, PG),
      // The code base names what it leaves unused with a leading underscore (`{ a: _a, ...rest }`, `(_req, res)`).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: [...TEST_FILES, 'e2e/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries({ testCode: true }),
      // Tests read JSON answers loosely on purpose: the assertions, not the types, check their shape.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['libs/x509/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': restrict(ORM, PG) },
  },
  {
    files: ['apps/ca-core/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': restrict(ASN1) },
  },
  // The intermediary's ACME and SCEP state live in their own schemas (ADR 0035, 0040): only src/acme/, SCEP's store, the shared schema opener and the intermediary's test helpers reach a database.
  {
    files: [
      'apps/intermediary/src/acme/**/*.ts',
      'apps/intermediary/src/scep/database/**/*.ts',
      'apps/intermediary/src/scep/scep.store.ts',
      'apps/intermediary/src/database/**/*.ts',
      'apps/intermediary/src/testing/**/*.ts',
    ],
    rules: { '@typescript-eslint/no-restricted-imports': restrict(ASN1) },
  },
  // e2e and bench: whole-system tests reach an app only through its testing-api; they may use pg to prepare databases.
  {
    files: ['e2e/**/*.ts'],
    rules: {
      // e2e also checks the examples as a reader would use them (the webhook receiver's signature check).
      '@nx/enforce-module-boundaries': boundaries({ testCode: true, allow: [APP_TESTING_API, EXAMPLES] }),
      '@typescript-eslint/no-restricted-imports': restrict(ASN1, ORM),
    },
  },
  {
    files: ['bench/**/*.ts'],
    rules: {
      // bench drives the same stack as e2e, with e2e's process and stack helpers.
      '@nx/enforce-module-boundaries': boundaries({ testCode: true, allow: [APP_TESTING_API, '../e2e/support/*'] }),
      '@typescript-eslint/no-restricted-imports': restrict(ASN1, ORM),
    },
  },
);
