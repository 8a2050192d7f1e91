// Lint rules: typescript-eslint's type-aware recommended set, and no console in the core
// (values must only ever reach the structured logger, which receives key names).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.netlify/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/only-throw-error': 'off',
      // zod's named `z` (and its default export) is a namespace object that bundlers cannot shake:
      // it put all of zod's locales, about 360 KB, into every function bundle (docs/PERFORMANCE.md).
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='zod'][importKind!='type'] > :matches(ImportSpecifier[imported.name='z'][importKind!='type'], ImportDefaultSpecifier)",
          message: "Import zod as a namespace, `import * as z from 'zod'`: the named z puts all of zod's locales into every function bundle.",
        },
      ],
    },
  },
  { files: ['src/**/*.ts'], rules: { 'no-console': 'error' } },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: { process: 'readonly', fetch: 'readonly', URL: 'readonly', AbortSignal: 'readonly', console: 'readonly' },
    },
  },
);
