// Tests are compiled by `tsc -p tests/tsconfig.json` (`npm run build:tests`, run by pretest) and run as plain ESM
// from dist/tests.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/dist/tests'],
  testMatch: ['**/*.test.js'],
  transform: {},
  testTimeout: 30000,
};
