/** Where the local stack keeps its files (small on purpose: the officers' CLI imports it). */
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..');
/** Credentials, the running stack's address, the outbox, statements and caches; gitignored. */
export const DEFAULT_STATE_DIR = join(REPO_ROOT, '.local');
