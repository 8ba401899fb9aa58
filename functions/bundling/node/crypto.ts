/** `node:crypto` without its ESM facade: see ./http.ts. */
export = process.getBuiltinModule('node:crypto');
