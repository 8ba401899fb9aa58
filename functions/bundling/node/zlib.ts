/** `node:zlib` without its ESM facade: see ./http.ts. */
export = process.getBuiltinModule('node:zlib');
