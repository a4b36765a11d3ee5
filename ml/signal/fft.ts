/**
 * Typed wrapper over fft.js (radix-4, power-of-two sizes only).
 *
 * fft.js ships `any`-typed declarations; this module is the one place that touches them.
 */
import FFT from 'fft.js';

/** fft.js builds twiddle tables per size; spectra of one dataset reuse a handful of sizes. */
const plans = new Map<number, FFT>();

function plan(size: number): FFT {
  let p = plans.get(size);
  if (p === undefined) {
    p = new FFT(size);
    plans.set(size, p);
  }
  return p;
}

/** Smallest power of two >= n (and >= 4, the smallest size fft.js's real transform handles). */
export function nextPowerOfTwo(n: number): number {
  let size = 4;
  while (size < n) size *= 2;
  return size;
}

/**
 * Full complex spectrum (interleaved re, im; length 2 × size) of a real signal, zero padded to
 * `size` (a power of two >= signal.length).
 */
export function realFft(signal: ArrayLike<number>, size: number): Float64Array {
  const input = new Float64Array(size);
  for (let i = 0; i < signal.length; i++) input[i] = signal[i];
  const p = plan(size);
  const out = new Float64Array(2 * size);
  p.realTransform(out, input);
  p.completeSpectrum(out);
  return out;
}

/** Inverse complex transform (interleaved re, im), normalised by 1/size as fft.js does. */
export function inverseFft(spectrum: Float64Array): Float64Array {
  const size = spectrum.length / 2;
  const out = new Float64Array(spectrum.length);
  plan(size).inverseTransform(out, spectrum);
  return out;
}
