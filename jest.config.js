/** Tests run TypeScript through SWC (fast); types are checked separately by `npm run typecheck`. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  moduleNameMapper: {
    '^#domain/(.*)$': '<rootDir>/shared/domain/$1',
    '^#adapters/(.*)$': '<rootDir>/shared/adapters/$1',
  },
  testTimeout: 30000,
  // DynamoDB Local, started once per run for the adapter and API tests.
  globalSetup: '<rootDir>/test/support/dynamodb-global-setup.ts',
  globalTeardown: '<rootDir>/test/support/dynamodb-global-teardown.ts',
};
