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
};
