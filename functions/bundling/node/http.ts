/**
 * Node's built-in modules for bundled Lambdas, each file aliased in place of `node:<name>` by
 * infra/constructs/lambda-bundle.ts (`BUNDLE_ALIASES`). An ES module bundle's `import ... from
 * 'node:http'` makes Node 22 build the module's ESM facade, which reads every export, and some
 * exports are getters that load more of Node: `http.WebSocket` loads its fetch implementation
 * (undici, ~35 ms of CPU), `fs.promises` the promise API and readline, `process` and `os` their
 * lazy parts. Taken from `process.getBuiltinModule`, each module is the same object without the
 * facade: the same code runs, less of Node loads at every cold start (docs/BENCHMARKS.md).
 */
export = process.getBuiltinModule('node:http');
