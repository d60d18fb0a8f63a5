import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** What starts a SQL statement (upper case, as this codebase writes SQL): SELECT, INSERT INTO, UPDATE … SET, DELETE FROM, WITH … AS (. */
const SQL = String.raw`/(^|[\s(])(SELECT\s|INSERT\s+INTO\s|UPDATE\s+[\w."]+\s+SET\s|DELETE\s+FROM\s|WITH\s+\w+\s+AS\s*\()/`;

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', '.test-data/**', 'coverage/**', 'test-artifacts/**', 'portal/src/gql/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false, fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    // The portal runs in browsers.
    files: ['portal/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // SQL lives in persistence/ (and migrations/): a newcomer finds every statement a subgraph runs in one
    // folder. Upper-case SQL in a string or template literal anywhere else in product code is an error.
    files: ['gateway/src/**/*.ts', 'lib/src/**/*.ts', 'subgraphs/*/src/**/*.ts'],
    ignores: ['**/persistence/**', '**/test/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: `Literal[value=${SQL}]`, message: 'SQL belongs in a persistence/ repository' },
        { selector: `TemplateElement[value.raw=${SQL}]`, message: 'SQL belongs in a persistence/ repository' },
      ],
    },
  },
  {
    // Domain rules are pure: no ORM, no GraphQL, no token library, and not the library's barrel (which loads
    // all three); they import the one lib/ module they need (errors, money, validation, viewer).
    files: ['subgraphs/*/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '(^|/)lib/src$', message: 'import the lib/ module the rule needs, not the barrel' },
            { regex: '^(typeorm|type-graphql|graphql|@apollo/.*|jose|pg)$', message: 'domain rules are pure TypeScript' },
            { regex: '/(persistence|graphql|services|clients|jobs)/', message: 'domain rules are pure TypeScript' },
          ],
        },
      ],
    },
  },
  {
    // Decorated classes need their parameter types imported as values (emitDecoratorMetadata).
    files: ['**/graphql/**/*.ts', '**/persistence/**/*.ts', 'migrations/**/*.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
);
