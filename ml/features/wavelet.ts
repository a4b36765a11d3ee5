/**
 * Wavelet-packet band energies: the full packet tree to `waveletLevel` (db4, level 3 → 8 bands by
 * default) with discrete-wavelets' DWT in symmetric extension (PyWavelets' default mode, so a
 * pywt.WaveletPacket reproduces it), each terminal node's energy as its share of the level's
 * total. Nodes are reported in frequency order, lowest band first.
 */
import discreteWavelets from 'discrete-wavelets';
import type { FeatureDescriptor, FeatureSettings } from '../../contracts/index.js';
import type { FeatureDomainImpl, Samples } from './types.js';

/**
 * The package is CommonJS whose module.exports is the class itself, while its declarations say
 * `export default class`; under Node's ESM interop the default import is module.exports.
 */
const dwt = discreteWavelets as unknown as typeof discreteWavelets.default;

export function waveletFeatureName(settings: FeatureSettings, band: number): string {
  return `wp_${settings.wavelet}_l${settings.waveletLevel}_b${band}`;
}

function descriptors(settings: FeatureSettings): FeatureDescriptor[] {
  const bands = 2 ** settings.waveletLevel;
  return Array.from({ length: bands }, (_, b) => ({
    name: waveletFeatureName(settings, b),
    domain: 'wavelet' as const,
    unit: 'ratio' as const,
    description: `share of the ${settings.wavelet} wavelet-packet energy at level ${settings.waveletLevel} in band ${b} of ${bands} (≈ [${b}, ${b + 1}) / ${bands} × Nyquist)`,
  }));
}

/**
 * Terminal nodes in natural (Paley) order: each node splits into (approximation, detail).
 * High-pass filtering a detail node mirrors its spectrum, so natural order is not frequency order.
 */
function packetLevel(x: readonly number[], settings: FeatureSettings): number[][] {
  let nodes: number[][] = [x as number[]];
  for (let level = 0; level < settings.waveletLevel; level++) {
    const next: number[][] = [];
    for (const node of nodes) {
      const [approx, detail] = dwt.dwt(node, settings.wavelet, 'symmetric');
      next.push(approx, detail);
    }
    nodes = next;
  }
  return nodes;
}

function compute(x: Samples, _context: unknown, settings: FeatureSettings): number[] {
  const nodes = packetLevel(Array.from(x), settings);
  const energies = nodes.map((c) => c.reduce((s, v) => s + v * v, 0));
  const total = energies.reduce((s, e) => s + e, 0);
  // Frequency position i holds natural node gray(i) = i xor (i >> 1).
  return energies.map((_, i) => (total === 0 ? 0 : energies[i ^ (i >> 1)] / total));
}

export const waveletDomain: FeatureDomainImpl = { descriptors, compute };
