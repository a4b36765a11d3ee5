import type { ExplainSignalResult, SignalRef, XaiMethod, XaiMethodOutcome } from '../../contracts/index.js';
import type { XaiExplanationRow } from '../../db/repos/xai.js';

/** The small per-signal result the workflow receives, from the signal's stored rows (one per method). */
export function signalResultFromRows(ref: SignalRef, rows: XaiExplanationRow[], classes: string[], reused = true): ExplainSignalResult {
  const first = rows[0];
  const methods: XaiMethodOutcome[] = rows.map((r) => {
    const top = r.topSegments?.[0];
    return {
      method: r.method as XaiMethod,
      faithfulness: r.faithfulness ?? 0,
      topSegment: { start: top?.start ?? 0, end: top?.end ?? 0, share: top?.share ?? 0 },
      dominantBand: { lowHz: r.dominantBandLowHz ?? 0, highHz: r.dominantBandHighHz ?? 0, share: Math.max(0, ...(r.bandShares ?? [0])) },
      attributionUri: r.attributionUri ?? '',
    };
  });
  return {
    signal: ref,
    label: first.label ?? '',
    targetClass: classes.indexOf(first.targetLabel ?? ''),
    targetLabel: first.targetLabel ?? '',
    predictedLabel: first.predictedLabel ?? '',
    probability: first.probability ?? 0,
    pictureUri: first.pictureUri ?? '',
    methods,
    reused,
  };
}
