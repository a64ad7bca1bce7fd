/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Integration tests start real daemons; a few seconds each is normal.
  testTimeout: 120000,
  // Every test file's temporary directories go when the file ends, pass or fail;
  // the run fails when anything (directory, mount, process) is left.
  setupFilesAfterEnv: ['<rootDir>/test/setup/cleanupAfterFile.ts'],
  globalSetup: '<rootDir>/test/setup/recordBefore.ts',
  globalTeardown: '<rootDir>/test/setup/checkNothingLeft.ts',
  reporters: ['default', '<rootDir>/test/summaryReporter.js'],
};
