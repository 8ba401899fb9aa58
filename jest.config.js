/** Tests run TypeScript through SWC (fast); types are checked separately by `npm run typecheck`. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  // @middy/core 7 is published as ES modules only (an `import` condition, no `require`), and jest
  // runs this CommonJS project without Node's require(esm): its files (core and util) are mapped by path and
  // compiled to CommonJS by the same swc, rather than running jest in experimental ESM mode.
  transform: { '^.+\\.ts$': ['@swc/jest'], '/node_modules/@middy/.+\\.js$': ['@swc/jest', { module: { type: 'commonjs' } }] },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
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
