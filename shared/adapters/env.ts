/**
 * Reading a function's configuration from its environment: one error type and the few parsers every
 * handler's config module needs, so each module states only what it reads and fails fast at start-up.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** A comma-separated list, blanks dropped. */
export const envList = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/** A whole number within bounds, or the fallback when unset. */
export function envWhole(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name]?.trim() || String(fallback);
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}`);
  return n;
}
