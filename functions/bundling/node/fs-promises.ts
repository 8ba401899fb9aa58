/** `node:fs/promises` without its ESM facade: see ./http.ts. */
export = process.getBuiltinModule('node:fs/promises');
