import { encodeFloat32 } from '../../artifacts/codecs.js';
import type { ArtifactStore } from '../../artifacts/types.js';
import { parseSignalRef, type ExplainSignalInput } from '../../contracts/index.js';
import type { Database } from '../../db/connect.js';
import { registerArtifact } from '../../db/repos/artifacts.js';
import { upsertXaiExplanations, type XaiExplanationInput, type XaiExplanationRow } from '../../db/repos/xai.js';
import type { SignalRow } from '../../db/schema.js';
import { withTransaction } from '../../db/tx.js';
import { renderSignalExplanationSvg } from '../../ml/report/index.js';
import type { SignalExplanation } from '../../ml/xai/explain.js';

export interface ComputedExplanation {
  input: Pick<ExplainSignalInput, 'batchId' | 'classes' | 'inputLength' | 'signal'>;
  row: Pick<SignalRow, 'label' | 'samplingRateHz'>;
  /** The z-normalised windows that were explained, and where each starts in the signal. */
  windows: Float32Array[];
  starts: number[];
  explanation: SignalExplanation;
}

/**
 * Store one signal's explanation: its picture and one attribution array per method as
 * artifacts, then one COMPLETED row per method, all registered in one transaction (upserts
 * keyed by batch, signal and method, so a retry rewrites the same rows).
 */
export async function storeSignalExplanation(db: Database, artifacts: ArtifactStore, stored: ComputedExplanation): Promise<XaiExplanationRow[]> {
  const { input, row, windows, starts, explanation } = stored;
  const ref = input.signal;
  const { datasetId, index } = parseSignalRef(ref);
  const L = input.inputLength;
  const targetLabel = input.classes[explanation.targetClass];
  const probability = explanation.probabilities[explanation.targetClass];
  const picture = renderSignalExplanationSvg({
    signal: ref,
    label: row.label,
    targetLabel,
    probability,
    samplingRateHz: row.samplingRateHz,
    windows: windows.map((w, k) => ({
      start: starts[k],
      samples: w,
      methods: explanation.methods.map((m) => ({
        method: m.method,
        attributions: m.attributions.subarray(k * L, (k + 1) * L),
        faithfulness: m.faithfulnessPerWindow[k],
      })),
    })),
  });
  const pic = await artifacts.put(new TextEncoder().encode(picture), { kind: 'xai-picture', mediaType: 'image/svg+xml' });
  const rows: XaiExplanationInput[] = [];
  const uris: { uri: string; sha256: string; bytes: number; kind: string; mediaType: string }[] = [{ ...pic, kind: 'xai-picture', mediaType: 'image/svg+xml' }];
  for (const m of explanation.methods) {
    const attr = await artifacts.put(encodeFloat32(m.attributions), { kind: 'xai-attribution', mediaType: 'application/x-float32le' });
    uris.push({ ...attr, kind: 'xai-attribution', mediaType: 'application/x-float32le' });
    rows.push({
      batchId: input.batchId,
      datasetId,
      signalIdx: index,
      method: m.method,
      status: 'COMPLETED',
      label: row.label,
      targetLabel,
      predictedLabel: input.classes[explanation.predictedClass],
      probability,
      windowStarts: starts,
      attributionUri: attr.uri,
      pictureUri: pic.uri,
      topSegments: m.topSegments,
      segmentShares: m.segmentShares,
      bandShares: m.bandShares,
      dominantBandLowHz: m.dominantBand.lowHz,
      dominantBandHighHz: m.dominantBand.highHz,
      peakHz: m.peakHz,
      faithfulness: m.faithfulness,
      aucMethod: m.aucMethod,
      aucRandom: m.aucRandom,
      completenessError: m.completenessError,
      durationMs: m.durationMs,
      error: null,
    });
  }
  await withTransaction(db, async (tx) => {
    for (const u of uris) await registerArtifact(tx, u);
    await upsertXaiExplanations(tx, rows);
  });
  return rows as XaiExplanationRow[];
}
