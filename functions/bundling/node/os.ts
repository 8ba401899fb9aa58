/** `node:os` without its ESM facade: see ./http.ts. */
export = process.getBuiltinModule('node:os');
