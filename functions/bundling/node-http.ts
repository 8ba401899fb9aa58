/**
 * `node:http` for bundled Lambdas (aliased to this file by infra/constructs/function.ts). In an ES
 * module bundle, `import http from 'node:http'` (Powertools' tracer does) makes Node 22 build the
 * module's ESM facade, which reads every export, and `http.WebSocket` is a getter that loads Node's
 * fetch implementation (undici): about 35 ms of CPU at every cold start for nothing. Taken from
 * `process.getBuiltinModule`, the module is the same object without the facade.
 */
export = process.getBuiltinModule('node:http');
