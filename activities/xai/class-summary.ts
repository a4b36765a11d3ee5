import type { XaiClassSummary, XaiMethod } from '../../contracts/index.js';
import type { Database } from '../../db/connect.js';
import { getModel } from '../../db/repos/models.js';
import { getSignal, type XaiBatchRow, type XaiExplanationRow } from '../../db/repos/xai.js';
import type { XaiClassSummaryInput } from '../../ml/report/index.js';

/**
 * A batch's per-class summary from its stored rows: per class and method, the mean segment and
 * band profiles and the mean faithfulness; `picture` is what ml/report draws, `data` the JSON the
 * dashboard reads. Classes come in the model's class order, unknown labels after them.
 */
export async function xaiClassSummary(
  db: Database,
  batch: Pick<XaiBatchRow, 'id' | 'modelId' | 'config' | 'methods'>,
  rows: XaiExplanationRow[],
): Promise<{ picture: XaiClassSummaryInput; data: XaiClassSummary }> {
  const { id: batchId, modelId } = batch;
  const methods = batch.methods as XaiMethod[];
  // The batch's config is the workflow's whole input; only the band count matters here.
  const cfg = batch.config as { summary?: { bands?: number } };
  const firstDone = rows.find((r) => r.status === 'COMPLETED');
  const signal = firstDone ? await getSignal(db, firstDone.datasetId, firstDone.signalIdx) : undefined;
  const samplingRateHz = signal?.samplingRateHz ?? 0;
  const model = await getModel(db, modelId);
  const windowLength = model?.inputLength ?? 0;
  const nBands = firstDone?.bandShares?.length ?? cfg.summary?.bands ?? 8;
  const nyquist = samplingRateHz / 2;
  const bands = Array.from({ length: nBands }, (_, b) => ({ lowHz: (b * nyquist) / nBands, highHz: ((b + 1) * nyquist) / nBands }));

  const labels = [...new Set(rows.map((r) => r.label ?? 'unknown'))].sort(byClassOrder(model?.classes ?? []));
  const failedSignals = new Set(rows.filter((r) => r.status === 'FAILED').map((r) => `${r.datasetId}:${r.signalIdx}`));
  const faithfulnessByMethod: Partial<Record<XaiMethod, number>> = {};
  const classes = labels.map((label) => {
    const ofClass = rows.filter((r) => (r.label ?? 'unknown') === label);
    const sigs = new Set(ofClass.map((r) => `${r.datasetId}:${r.signalIdx}`));
    const failed = [...sigs].filter((s) => failedSignals.has(s)).length;
    return {
      label,
      signals: sigs.size - failed,
      failed,
      methods: methods.map((method) => {
        const done = ofClass.filter((r) => r.method === method && r.status === 'COMPLETED');
        return {
          method,
          signals: done.length,
          segmentProfile: meanVector(done.map((r) => r.segmentShares ?? [])),
          bandProfile: meanVector(done.map((r) => r.bandShares ?? [])),
          meanFaithfulness: mean(done.map((r) => r.faithfulness ?? 0)),
        };
      }),
    };
  });
  for (const method of methods) {
    const done = rows.filter((r) => r.method === method && r.status === 'COMPLETED');
    if (done.length > 0) faithfulnessByMethod[method] = round(mean(done.map((r) => r.faithfulness ?? 0)));
  }
  const failures = rows.filter((r) => r.status === 'FAILED' && r.method === methods[0]).map((r) => `${r.datasetId}:${r.signalIdx}: ${r.error ?? 'failed'}`);
  const picture: XaiClassSummaryInput = {
    batchId,
    modelId,
    windowLength,
    samplingRateHz,
    bands,
    classes,
    notes: failures.length > 0 ? [`${failures.length} signals failed`, ...failures.slice(0, 5)] : undefined,
  };
  return { picture, data: { batchId, modelId, windowLength, samplingRateHz, bands, classes, faithfulnessByMethod, failures } };
}

function byClassOrder(classes: readonly string[]) {
  const rank = (l: string) => (classes.includes(l) ? classes.indexOf(l) : classes.length);
  return (a: string, b: string) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const round = (v: number): number => Number(v.toPrecision(6));

function meanVector(vs: readonly number[][]): number[] {
  const n = Math.max(0, ...vs.map((v) => v.length));
  return Array.from({ length: n }, (_, i) => round(mean(vs.map((v) => v[i] ?? 0))));
}
