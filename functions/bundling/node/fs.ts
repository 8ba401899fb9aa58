/** `node:fs` without its ESM facade: see ./http.ts. */
export = process.getBuiltinModule('node:fs');
