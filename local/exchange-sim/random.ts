/**
 * Counter-based randomness: every draw is a pure function of (seed, stream, indices), so the market at
 * any instant is the same whatever order it is asked in. The numbers are model noise (dimensionless
 * shocks, size multipliers), never prices or amounts themselves.
 */

// Local aliases: inside jest's sandbox every `Math.x` lookup costs ~0.3 us, and paths take millions.
const { imul, floor, sqrt, log, cos, PI } = Math;

function mix(h: number): number {
  // murmur3 finaliser
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = imul(h ^ text.charCodeAt(i), 0x01000193);
  return mix(h);
}

/** 32-bit hash of a list of integers (negative and large ones included). */
export function hashInts(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    const lo = p | 0;
    const hi = floor(p / 4294967296) | 0;
    h = mix(h ^ mix(lo + 0x6a09e667)) + 0x3c6ef372;
    h = mix(h ^ mix(hi + 0xbb67ae85));
  }
  return h >>> 0;
}

/** Uniform in (0, 1). */
export function uniform(...parts: number[]): number {
  return (hashInts(...parts) + 0.5) / 4294967296;
}

/** Standard normal (Box-Muller on two independent uniforms). */
export function normal(...parts: number[]): number {
  const u1 = uniform(...parts, 1);
  const u2 = uniform(...parts, 2);
  return sqrt(-2 * log(u1)) * cos(2 * PI * u2);
}
