/**
 * Tests run TypeScript through SWC (fast); types are checked separately by `npm run typecheck`.
 *
 * Two projects: `unit` (the pure domain, CDK synthesis, pure functions: no Java, no servers; `npm run
 * test:unit`) and `integration` (everything else, against the DynamoDB Local that its globalSetup
 * starts once per run, local SQS and the exchange simulator). Unit tests are listed here by path;
 * a new test file is an integration test unless added below, so one that needs DynamoDB never ends
 * up in the run that has none. A third project, `browser` (`npm run test:browser`), drives the web
 * console and the taxpayer page in headless Chromium against a local stack; `npm test` runs it after
 * the other two, so that Chromium never competes with them for the machine's cores (under that
 * contention a page load could miss its minute).
 */
const UNIT = [
  '/test/domain/.*\\.test\\.ts$',
  '/test/infra/.*\\.test\\.ts$',
  '/test/adapters/exchange/(lossless-json|rate-limit|upbit-auth)\\.test\\.ts$',
  '/test/functions/api/openapi\\.test\\.ts$',
  '/test/functions/notices/channels\\.test\\.ts$',
  '/test/functions/poll-prices/(config|metrics)\\.test\\.ts$',
  '/test/functions/sale/shared-quotes\\.test\\.ts$',
  '/test/local/(cli|clock|sale-workflow|seed-and-summary)\\.test\\.ts$',
  '/test/web/.*\\.test\\.ts$',
];

/** Browser tests: headless Chromium against a local stack of their own (test/support/browser.ts). */
const BROWSER = ['/test/browser/.*\\.test\\.ts$'];

const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  // @middy/core 7 and jose 6 are published as ES modules only, and jest runs this CommonJS project
  // without Node's require(esm): their files are compiled to CommonJS by the same swc (middy's,
  // exported under an `import` condition only, mapped by path), rather than running jest in its
  // experimental ESM mode.
  transform: {
    '^.+\\.ts$': ['@swc/jest'],
    '/node_modules/(@middy|jose)/.+\\.js$': ['@swc/jest', { module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@middy/|jose/)'],
  moduleNameMapper: {
    '^@middy/(core|util)$': '<rootDir>/node_modules/@middy/$1/index.js',
    '^#domain/(.*)$': '<rootDir>/shared/domain/$1',
    '^#adapters/(.*)$': '<rootDir>/shared/adapters/$1',
  },
  // TEST_CPU_LOG=<file>: each test file's CPU seconds appended to that file (docs/BENCHMARKS.md).
  setupFilesAfterEnv: process.env.TEST_CPU_LOG ? ['<rootDir>/test/support/cpu-per-file.ts'] : [],
};

module.exports = {
  // Hooks too: a file's beforeAll may start a server (DynamoDB Local's JVM is slow on a busy machine).
  testTimeout: 60000,
  // Test files run in parallel workers (jest's default leaves one of two CPUs idle); they share the
  // one DynamoDB Local, each file with tables, queues and servers of its own.
  maxWorkers: '100%',
  projects: [
    { ...common, displayName: 'unit', testRegex: UNIT },
    {
      ...common,
      displayName: 'integration',
      testRegex: '\\.test\\.ts$',
      testPathIgnorePatterns: ['/node_modules/', ...UNIT, ...BROWSER],
      // DynamoDB Local, started once per run for the adapter and API tests.
      globalSetup: '<rootDir>/test/support/dynamodb-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/dynamodb-global-teardown.ts',
    },
    // Each file starts its own local stack (DynamoDB Local included) and one browser.
    {
      ...common,
      displayName: 'browser',
      testRegex: BROWSER,
      globalSetup: '<rootDir>/test/support/browser-global-setup.ts',
    },
  ],
};
