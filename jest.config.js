// Tests are compiled by `tsc` with the rest of the project and run as plain ESM from dist/.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/dist/tests'],
  testMatch: ['**/*.test.js'],
  transform: {},
  testTimeout: 30000,
};
