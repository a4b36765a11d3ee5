/**
 * Seeded randomness for the whole ML engine. Math.random is never used in ml/: a dataset must be
 * reproducible from its config alone (same config, same bytes, in any chunking of the work), and
 * a split or a resumed epoch from its seed alone (a resumed epoch sees the same batch order).
 *
 * Two generators, each kept bit-for-bit because stored datasets and recorded training runs
 * depend on their exact streams:
 * - `Rng` (xoshiro128**, seeded through splitmix32, items seeded with `deriveSeed`): the
 *   simulator's generator, with the uniform and normal distributions it needs. Small, fast in
 *   32-bit integer arithmetic and statistically far better than an LCG.
 * - `mulberry32` (seeded with `mixSeed`): a bare `() => number` in [0, 1) for splits and
 *   per-epoch shuffles, where 32 bits of state are plenty.
 */

import { Prng } from '../contracts/prng.js';

/** A uniform source in [0, 1), as `shuffled` and `permutation` take it. */
export type RandomSource = () => number;

// ---------------------------------------------------------------------------------------------
// Seeds

/** Finaliser of MurmurHash3: a bijective 32-bit mix with full avalanche. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Seed of item `index` of a stream seeded with `seed`.
 *
 * Depends only on (seed, index), so signal i is the same whether it is generated alone, in a
 * chunk of 8 or in a retried activity. The result is kept in [0, 2^31 - 1], the range the
 * config accepts for seeds, so it also fits a signed 32-bit database column.
 */
export function deriveSeed(seed: number, index: number): number {
  if (!Number.isInteger(seed) || !Number.isInteger(index) || index < 0) {
    throw new RangeError(`deriveSeed: seed and index must be integers, index >= 0 (got seed=${seed}, index=${index})`);
  }
  const lo = index >>> 0;
  const hi = Math.floor(index / 2 ** 32) >>> 0;
  let h = fmix32((seed >>> 0) ^ 0x9e3779b9);
  h = fmix32(h ^ fmix32(lo + 0x7f4a7c15));
  h = fmix32(h ^ fmix32(hi + 0x2545f491));
  return h & 0x7fffffff;
}

/** Mix several integers/strings into one 32-bit seed (FNV-1a over their decimal/UTF-16 text). */
export function mixSeed(...parts: (number | string)[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const s = `${typeof part}:${String(part)}|`;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  }
  return h >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Generators

/** A seeded xoshiro128** generator with the distributions the simulator needs. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** Box–Muller makes normals in pairs; keep the second for the next call. */
  private spareNormal: number | null = null;

  constructor(seed: number) {
    // splitmix32: consecutive seeds must not give correlated states.
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      return fmix32(x);
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    // The all-zero state is a fixed point of xoshiro; splitmix cannot produce it in practice,
    // but guard anyway because the cost is nil.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * (this.nextUint32() / 4294967296);
  }

  /**
   * Normal with the given mean and standard deviation: Box–Muller in Marsaglia's polar form,
   * which needs no sine or cosine (noise generation dominates the simulator's cost).
   */
  normal(mean = 0, sd = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + sd * z;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return mean + sd * u * f;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Mulberry32: 32-bit state, good enough for shuffling, identical on every platform. */
export function mulberry32(seed: number): RandomSource {
  // The stream of contracts/prng.ts started at state `seed` (no scrambling: callers mix seeds).
  const prng = new Prng(seed);
  return () => prng.next();
}

// ---------------------------------------------------------------------------------------------
// Shuffles

/** Fisher–Yates, in place, from the last element down (the order every caller's stream assumes). */
function shuffleInPlace<T>(out: { [i: number]: T; readonly length: number }, random: RandomSource): void {
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = out[i];
    out[i] = out[j];
    out[j] = tmp;
  }
}

/** Fisher–Yates shuffle of a copy of `items`. */
export function shuffled<T>(items: readonly T[], random: RandomSource): T[] {
  const out = items.slice();
  shuffleInPlace(out, random);
  return out;
}

/** A permutation of 0..n-1 as an Int32Array (used for per-epoch batch order). */
export function permutation(n: number, random: RandomSource): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  shuffleInPlace(out, random);
  return out;
}
