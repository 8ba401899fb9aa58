/** Tests run TypeScript through SWC (fast); types are checked separately by `npm run typecheck`. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  // @middy/core 7 and jose 6 are published as ES modules only, and jest runs this CommonJS project
  // without Node's require(esm): their files are compiled to CommonJS by the same swc (middy's,
  // exported under an `import` condition only, mapped by path), rather than running jest in its
  // experimental ESM mode.
  transform: { '^.+\\.ts$': ['@swc/jest'], '/node_modules/(@middy|jose)/.+\\.js$': ['@swc/jest', { module: { type: 'commonjs' } }] },
  transformIgnorePatterns: ['/node_modules/(?!@middy/|jose/)'],
  moduleNameMapper: {
    '^@middy/(core|util)$': '<rootDir>/node_modules/@middy/$1/index.js',
    '^#domain/(.*)$': '<rootDir>/shared/domain/$1',
    '^#adapters/(.*)$': '<rootDir>/shared/adapters/$1',
  },
  testTimeout: 30000,
  // DynamoDB Local, started once per run for the adapter and API tests.
  globalSetup: '<rootDir>/test/support/dynamodb-global-setup.ts',
  globalTeardown: '<rootDir>/test/support/dynamodb-global-teardown.ts',
};
