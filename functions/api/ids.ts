/**
 * Ids this API assigns (cases, holds, sale requests): a prefix and a ULID (time, then randomness),
 * so they sort by creation and are safe in keys and Step Functions execution names.
 */
import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function ulid(now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD.charAt(t % 32) + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let random = '';
  for (let i = 0; i < 16; i++) random += CROCKFORD.charAt((bytes[i] ?? 0) % 32);
  return time + random;
}

export const newId = (prefix: string): string => `${prefix}${ulid()}`;
