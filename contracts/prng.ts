/**
 * The project's one mulberry32: a seeded stream whose whole state is one 32-bit integer.
 * - Search (workflows/search) keeps that integer in the samplers' JSON state, so a campaign
 *   resumed after continue-as-new (or a replayed workflow) draws exactly the numbers it would
 *   have drawn.
 * - The ML engine (ml/random.ts `mulberry32`) draws splits, per-epoch shuffles and bootstrap
 *   resamples from it.
 * It lives in contracts/ because both sides may import contracts and neither the other.
 * Math.random is never used.
 */

/** Scrambles any integer seed (0, 1, 2... are poor mulberry32 states on their own). */
export function seedState(seed: number): number {
  let h = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A mulberry32 stream. `state` may be read at any time and handed to `new Prng(state)` later. */
export class Prng {
  private s: number;

  constructor(state: number) {
    this.s = state >>> 0;
  }

  static fromSeed(seed: number): Prng {
    return new Prng(seedState(seed));
  }

  get state(): number {
    return this.s;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.min(n - 1, Math.floor(this.next() * n));
  }

  /** Standard normal (Box–Muller; one of the pair is discarded so the state stays one integer). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: log(0) would be -Infinity
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Index drawn with probability proportional to `weights` (non-negative, not all zero). */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
}
