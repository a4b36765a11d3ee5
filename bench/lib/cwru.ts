import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { putFloat32 } from '../../artifacts/codecs.js';
import type { FileArtifactStore } from '../../artifacts/file-store.js';
import { classLabel } from '../../contracts/index.js';
import { channelVariable, parseCwruName, rpmVariable, type CwruName } from '../../ml/mat/cwru.js';
import { readMat, toFloat64 } from '../../ml/mat/index.js';
import type { MatNumericVariable } from '../../ml/mat/types.js';
import { resample } from '../../ml/signal/resample.js';
import type { TrainingSignalRef } from '../../ml/train/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The ten shared 0 hp recordings; CWRU_DIR points the benches elsewhere. */
export const CWRU_DIR = process.env.CWRU_DIR ?? path.resolve(ROOT, '../shared/data/cwru');

/**
 * The CWRU recordings as the import stores them: drive end, resampled to `rate`, cut into
 * consecutive `signalLength`-sample signals with their offsets, 10-class labels. `rpm` is the
 * file's own RPM variable (null when it has none); `name` is the parsed file name, for callers
 * that need more of it.
 */
export async function cwruSignals(
  store: FileArtifactStore,
  opts: { rate: number; signalLength: number; dir?: string },
): Promise<(TrainingSignalRef & { name: CwruName })[]> {
  const dir = opts.dir ?? CWRU_DIR;
  const out: (TrainingSignalRef & { name: CwruName })[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.mat'))
    .sort()) {
    const name = parseCwruName(file);
    if (!name) throw new Error(`${file}: not a CWRU file name`);
    const mat = await readMat(new Uint8Array(readFileSync(path.join(dir, file))));
    const v = channelVariable(mat, 'DE', name.recordingId);
    if (typeof v === 'string') throw new Error(`${file}: ${v}`);
    const raw = toFloat64(v as MatNumericVariable);
    const x = name.samplingRateHz === opts.rate ? raw : resample(raw, name.samplingRateHz, opts.rate);
    const rpm = rpmVariable(mat, name.recordingId) ?? null;
    const label = classLabel('fault-type-size', name.faultType, name.faultSizeIn);
    for (let offset = 0; offset + opts.signalLength <= x.length; offset += opts.signalLength) {
      const { uri } = await putFloat32(store, Float32Array.from(x.subarray(offset, offset + opts.signalLength)), 'signal');
      out.push({ index: out.length, label, uri, recording: file, offset, loadHp: name.loadHp, rpm, name });
    }
  }
  return out;
}
