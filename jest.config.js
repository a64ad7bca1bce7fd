/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Integration tests start real daemons; a few seconds each is normal.
  testTimeout: 120000,
  reporters: ['default', '<rootDir>/test/summaryReporter.js'],
};
