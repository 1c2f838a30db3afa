// Lint, type-aware: typescript-eslint's strict type-checked set (why, and what is changed from it:
// CONTRIBUTING.md, "Lint and format"). `npm run lint` runs it; `npm test` too.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-output/**', '**/*.js', '**/*.mjs', '**/*.cjs', '**/*.mts', 'test/fixtures/**'] },
  ...tseslint.configs.strictTypeChecked,
  { languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } } },
  {
    rules: {
      // Numbers, booleans and null/undefined read as themselves in a message; objects still may not.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
      // `return void effect()` says "this returns nothing" on one line; kept as the house idiom.
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-meaningless-void-operator': 'off',
      // Bytes from a worker, a control client or a PROXY header are checked at run time against
      // what their static type already claims: these two rules would delete exactly those checks.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-unnecessary-boolean-literal-compare': 'off',
      // Hosts hand closures around that interfaces declare with method syntax (steps.observe(view.step));
      // the rule cannot tell such a closure from a method that needs its `this`.
      '@typescript-eslint/unbound-method': 'off',
      // A `!` here follows a check the compiler cannot follow (a regular expression's group, a map
      // entry set a line above); each is read in review rather than hidden behind a cast.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Environment variables and per-worker tables are deleted by key: that is what they are for.
      '@typescript-eslint/no-dynamic-delete': 'off',
      // `_name` is a value left out on purpose (a destructured field, an argument a callback must take).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Tests read JSON log records and wire messages: untyped by nature (Rec is a record of anything),
    // so the any-tracking rules would only add casts. Everything else holds as in the product.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      // Callbacks given to a harness are async so that it awaits them, awaiting or not; a test
      // catches what it asserts on, whatever it is.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/use-unknown-in-catch-callback-variable': 'off',
    },
  },
);
