// Shared jest settings: TypeScript through swc, native ES modules, tests in tests/.
import { fileURLToPath } from 'node:url';

const reporter = fileURLToPath(new URL('./tools/jest-summary-reporter.cjs', import.meta.url));

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  reporters: ['default', reporter],
};
