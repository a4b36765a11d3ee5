import type { Augmentation } from '../../contracts/training.js';
import type { WindowSet } from './windows.js';

/**
 * Training-time augmentation of already normalised windows: each window gets its own speed
 * stretch, gain and noise, drawn from `random`. The trainer seeds `random` from (seed, epoch), so
 * an epoch's augmented data is the same on a resumed run and resumption stays exact.
 *
 * The stretch resamples the window about its centre by linear interpolation (reflecting at the
 * edges): a speed change of a few % moves every fault line by the same few %, as a load change
 * does, without moving anything else.
 */
export function augmentWindows(set: WindowSet, aug: Augmentation, random: () => number): Float32Array {
  const w = set.windowLength;
  const out = new Float32Array(set.x.length);
  const gauss = (): number => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const centre = (w - 1) / 2;
  for (let n = 0; n < set.count; n++) {
    const src = set.x.subarray(n * w, (n + 1) * w);
    const dst = out.subarray(n * w, (n + 1) * w);
    const stretch = aug.speedStretch > 0 ? 1 + aug.speedStretch * (2 * random() - 1) : 1;
    const gain = aug.amplitudeScale > 0 ? 1 + aug.amplitudeScale * (2 * random() - 1) : 1;
    if (stretch === 1) dst.set(src);
    else {
      for (let i = 0; i < w; i++) {
        let t = centre + (i - centre) * stretch;
        // Reflect positions outside the window back inside (at most a few % of it).
        if (t < 0) t = -t;
        if (t > w - 1) t = 2 * (w - 1) - t;
        const k = Math.min(w - 2, Math.floor(t));
        const f = t - k;
        dst[i] = src[k] * (1 - f) + src[k + 1] * f;
      }
    }
    let sd = 0;
    if (aug.noise > 0) {
      let sq = 0;
      for (let i = 0; i < w; i++) sq += dst[i] * dst[i];
      sd = aug.noise * Math.sqrt(sq / w);
    }
    for (let i = 0; i < w; i++) dst[i] = dst[i] * gain + (sd > 0 ? sd * gauss() : 0);
  }
  return out;
}
