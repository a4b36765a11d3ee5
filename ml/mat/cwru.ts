/**
 * The CWRU Bearing Data Center conventions: what a file name says about its recording, and
 * which variables hold which accelerometer.
 *
 *   12k_Drive_End_IR014_0_169.mat  → 12 kHz, drive-end bearing, inner race, 0.014", 0 hp, id 169
 *   12k_Drive_End_OR007@6_0_130.mat → outer race with the fault at 6:00 (load zone)
 *   48k_Drive_End_B021_1_227.mat    → 48 kHz, ball, 0.021", 1 hp
 *   normal_0_97.mat                 → normal baseline, 0 hp, id 97 (the baseline is recorded at 48 kHz)
 *
 * Variables: X<id>_DE_time / X<id>_FE_time / X<id>_BA_time (acceleration, g) and X<id>RPM.
 * Some files also carry another recording's variables, so the id picks among several.
 */
import type { FaultClass } from '../../contracts/constants.js';
import type { MatChannel } from '../../contracts/import.js';
import type { MatFile, MatNumericVariable } from './types.js';

export interface CwruName {
  samplingRateHz: number;
  /** The bearing the fault was seeded in ('DE' drive end, 'FE' fan end); undefined for normal. */
  faultEnd?: 'DE' | 'FE';
  faultType: FaultClass;
  faultSizeIn: number;
  loadHp: number;
  recordingId: number;
  /** Outer-race fault position (clock: 3, 6, 12), when named. */
  loadZone?: number;
}

/** CWRU's normal baseline recordings are sampled at 48 kHz (their names do not say so). */
export const CWRU_NORMAL_RATE_HZ = 48_000;

const FAULT = /^(12|48)k_(Drive|Fan)_End_(IR|OR|B)(\d{3})(?:@(\d{1,2}))?_(\d)_(\d+)$/i;
const NORMAL = /^normal_(\d)_(\d+)$/i;
const TYPES: Record<string, FaultClass> = { IR: 'inner_race', OR: 'outer_race', B: 'ball' };

export function parseCwruName(fileName: string): CwruName | undefined {
  const stem = fileName.replace(/\.mat$/i, '');
  const n = NORMAL.exec(stem);
  if (n) return { samplingRateHz: CWRU_NORMAL_RATE_HZ, faultType: 'normal', faultSizeIn: 0, loadHp: Number(n[1]), recordingId: Number(n[2]) };
  const f = FAULT.exec(stem);
  if (!f) return undefined;
  return {
    samplingRateHz: Number(f[1]) * 1000,
    faultEnd: f[2].toLowerCase() === 'drive' ? 'DE' : 'FE',
    faultType: TYPES[f[3].toUpperCase()],
    faultSizeIn: Number(f[4]) / 1000,
    loadHp: Number(f[6]),
    recordingId: Number(f[7]),
    ...(f[5] ? { loadZone: Number(f[5]) } : {}),
  };
}

function byId<T extends { name: string }>(candidates: T[], id: number | undefined, pattern: RegExp): T | undefined {
  if (candidates.length <= 1) return candidates[0];
  if (id === undefined) return undefined;
  return candidates.find((v) => Number(pattern.exec(v.name)?.[1]) === id);
}

/**
 * The channel's time series, or a sentence saying why not (which variables there are), so the
 * import can record a clear reason for the file.
 */
export function channelVariable(mat: MatFile, channel: MatChannel, recordingId?: number): MatNumericVariable | string {
  const pattern = new RegExp(`^X(\\d+)_${channel}_time$`);
  const numeric = mat.variables.filter((v): v is MatNumericVariable => v.kind === 'numeric');
  const candidates = numeric.filter((v) => pattern.test(v.name));
  const v = byId(candidates, recordingId, pattern);
  if (!v) {
    const names = mat.variables.map((x) => x.name).join(', ') || 'none';
    return candidates.length > 1
      ? `several ${channel} variables (${candidates.map((c) => c.name).join(', ')}) and none matches recording ${recordingId ?? '(unknown)'}`
      : `no X<id>_${channel}_time variable (variables: ${names})`;
  }
  if (v.complex) return `${v.name} is complex`;
  if (Math.min(...v.dims) !== 1 || v.dims.length !== 2) return `${v.name} is ${v.dims.join('×')}, not a vector`;
  return v;
}

/** The recording's RPM from its X<id>RPM variable, or undefined when the file has none. */
export function rpmVariable(mat: MatFile, recordingId?: number): number | undefined {
  const pattern = /^X(\d+)RPM$/;
  const candidates = mat.variables.filter((v): v is MatNumericVariable => v.kind === 'numeric' && pattern.test(v.name) && v.real.length >= 1);
  const v = byId(candidates, recordingId, pattern);
  const rpm = v ? Number(v.real[0]) : undefined;
  return rpm !== undefined && Number.isFinite(rpm) && rpm > 0 ? rpm : undefined;
}
