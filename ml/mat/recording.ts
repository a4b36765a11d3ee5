/**
 * One recording out of a MAT file, ready to cut: the chosen channel's samples resampled to the
 * dataset's rate, with the facts the import records. Pure (bytes in, samples out): the import
 * runs it in a child process (decode-process.ts) so a large or hostile file never holds the
 * worker's event loop, its heartbeats, or its memory.
 */
import { isMatFormatError, readMat, toFloat64 } from './index.js';
import type { MatChannel } from '../../contracts/import.js';
import { channelVariable, rpmVariable } from './cwru.js';
import { resample } from '../signal/resample.js';

export interface RecordingRequest {
  bytes: Uint8Array;
  channel: MatChannel;
  /** The CWRU recording number from the file name, when known: picks X<id>_… among several. */
  recordingId?: number;
  sourceRateHz: number;
  targetRateHz: number;
}

export type RecordingOutcome =
  | {
      ok: true;
      variable: string;
      /** Samples of the channel as stored, before resampling. */
      sourceSamples: number;
      /** From the file's X<id>RPM variable; undefined when it has none. */
      rpm?: number;
      /** At the target rate, float32 (what the artifact store keeps). */
      samples: Float32Array;
    }
  /** `format`: the file is not a readable MAT file; `content`: readable, but not a usable recording. */
  | { ok: false; kind: 'format' | 'content'; message: string };

export async function decodeRecording(req: RecordingRequest): Promise<RecordingOutcome> {
  let mat;
  try {
    mat = await readMat(req.bytes);
  } catch (e) {
    if (isMatFormatError(e)) return { ok: false, kind: 'format', message: e.message };
    throw e;
  }
  const variable = channelVariable(mat, req.channel, req.recordingId);
  if (typeof variable === 'string') return { ok: false, kind: 'content', message: variable };
  const samples = Float32Array.from(resample(toFloat64(variable), req.sourceRateHz, req.targetRateHz));
  return { ok: true, variable: variable.name, sourceSamples: variable.real.length, rpm: rpmVariable(mat, req.recordingId), samples };
}
