import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  calibration,
  chiSquareSf,
  classify,
  compareModels,
  errorAnalysis,
  holmAdjust,
  mcnemar,
  mcnemarExact,
  prCurve,
  RankedProblem,
  renderComparisonSvg,
  renderErrorsSvg,
  renderExperimentPage,
  renderRocSvg,
  renderTrainingCurvesSvg,
  rocAnalysis,
  rocAuc,
  rocCurve,
  wilsonInterval,
  type Scores,
} from '../../ml/eval/index.js';
import { xmlErrors } from '../support/xml.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'eval');

interface Curves {
  roc: { fpr: number[]; tpr: number[]; thresholds: (number | null)[] };
  pr: { precision: number[]; recall: number[]; thresholds: number[] };
  auc: number;
  averagePrecision: number;
}
interface Case {
  name: string;
  classes: string[];
  labels: number[];
  probabilities: number[][];
  predicted: number[];
  perClass: Curves[];
  aucMacro: number;
  aucMicro: number;
  apMacro: number;
  apMicro: number;
  accuracy: number;
  confusion: number[][];
  confusionNormalized: number[][];
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
  calibration: { bins: number; counts: number[]; accuracy: number[]; confidence: number[]; ece: number };
}
const cases = (JSON.parse(readFileSync(path.join(FIXTURES, 'cases.json'), 'utf8')) as { cases: Case[] }).cases;
const stats = JSON.parse(readFileSync(path.join(FIXTURES, 'mcnemar.json'), 'utf8')) as {
  mcnemar: { b: number; c: number; exactP: number; chi2Statistic: number; chi2P: number }[];
  wilson: { k: number; n: number; low: number; high: number }[];
};

const scoresOf = (c: Case): Scores => ({ probabilities: c.probabilities.flat(), labels: c.labels, classes: c.classes });
const column = (c: Case, k: number) => ({ positive: c.labels.map((y) => y === k), score: c.probabilities.map((row) => row[k]) });
const close = (actual: readonly number[], expected: readonly number[], digits = 12) => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(a, `index ${i}`).toBeCloseTo(expected[i], digits));
};

describe('evaluation metrics against scikit-learn (committed fixtures)', () => {
  it('covers ties, a one-sample class, perfect and constant classifiers and ten classes', () => {
    expect(cases.map((c) => c.name)).toEqual(['ties', 'single-sample-class', 'perfect', 'constant', 'ten-class']);
    expect(cases[1].support).toContain(1);
  });

  for (const c of cases) {
    describe(c.name, () => {
      it('per-class ROC curves, thresholds and AUC equal roc_curve / roc_auc_score', () => {
        c.classes.forEach((_, k) => {
          const { positive, score } = column(c, k);
          const roc = rocCurve(positive, score);
          close(roc.fpr, c.perClass[k].roc.fpr);
          close(roc.tpr, c.perClass[k].roc.tpr);
          expect(roc.thresholds[0]).toBe(Infinity);
          close(roc.thresholds.slice(1), c.perClass[k].roc.thresholds.slice(1) as number[]);
          expect(rocAuc(positive, score)).toBeCloseTo(c.perClass[k].auc, 12);
        });
      });

      it('per-class precision-recall curves and average precision equal precision_recall_curve / average_precision_score', () => {
        c.classes.forEach((_, k) => {
          const { positive, score } = column(c, k);
          const pr = prCurve(positive, score);
          close(pr.precision, c.perClass[k].pr.precision);
          close(pr.recall, c.perClass[k].pr.recall);
          close(pr.thresholds, c.perClass[k].pr.thresholds);
          expect(averagePrecision(positive, score)).toBeCloseTo(c.perClass[k].averagePrecision, 12);
        });
      });

      it('macro and micro AUC and AP, and accuracy', () => {
        const a = rocAnalysis(scoresOf(c), { replicates: 0 });
        expect(a.aucMacro).toBeCloseTo(c.aucMacro, 12);
        expect(a.aucMicro).toBeCloseTo(c.aucMicro, 12);
        expect(a.apMacro).toBeCloseTo(c.apMacro, 12);
        expect(a.apMicro).toBeCloseTo(c.apMicro, 12);
        expect(a.accuracy).toBeCloseTo(c.accuracy, 14);
      });

      it('confusion matrix (raw and normalised) and precision / recall / F1 per class', () => {
        const r = classify(scoresOf(c));
        expect(r.confusion).toEqual(c.confusion);
        r.confusionNormalized.forEach((row, i) => close(row, c.confusionNormalized[i]));
        close(
          r.perClass.map((p) => p.precision),
          c.precision,
        );
        close(
          r.perClass.map((p) => p.recall),
          c.recall,
        );
        close(
          r.perClass.map((p) => p.f1),
          c.f1,
        );
        expect(r.perClass.map((p) => p.support)).toEqual(c.support);
      });

      it('reliability bins equal calibration_curve, and the ECE', () => {
        const cal = calibration(scoresOf(c), c.calibration.bins);
        expect(cal.bins.map((b) => b.count)).toEqual(c.calibration.counts);
        const filled = cal.bins.filter((b) => b.count > 0);
        close(
          filled.map((b) => b.accuracy!),
          c.calibration.accuracy,
        );
        close(
          filled.map((b) => b.confidence!),
          c.calibration.confidence,
        );
        expect(cal.ece).toBeCloseTo(c.calibration.ece, 12);
      });
    });
  }

  it('a perfect classifier scores AUC 1 on every class; a constant one 0.5', () => {
    const perfect = rocAnalysis(scoresOf(cases[2]), { replicates: 50 });
    expect(perfect.perClass.map((p) => p.auc)).toEqual([1, 1, 1, 1]);
    expect(perfect.ci.aucMacro).toEqual({ low: 1, high: 1 });
    const constant = rocAnalysis(scoresOf(cases[3]), { replicates: 0 });
    expect(constant.perClass.map((p) => p.auc)).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it('a class absent from the sample has no AUC, and the macro average skips it', () => {
    const c = cases[0];
    const keep = c.labels
      .map((y, i) => [y, i] as const)
      .filter(([y]) => y !== 2)
      .map(([, i]) => i);
    const s: Scores = { probabilities: keep.flatMap((i) => c.probabilities[i]), labels: keep.map((i) => c.labels[i]), classes: c.classes };
    const a = rocAnalysis(s, { replicates: 20 });
    expect(a.perClass[2].auc).toBeNull();
    expect(a.perClass[2].aucCi).toBeNull();
    expect(a.aucMacro).toBeCloseTo(((a.perClass[0].auc ?? 0) + (a.perClass[1].auc ?? 0)) / 2, 14);
  });

  it('refuses probabilities of the wrong shape or a label outside the classes, naming the field', () => {
    expect(() => rocAnalysis({ probabilities: [0.5, 0.5, 1], labels: [0, 1], classes: ['a', 'b'] })).toThrow(/probabilities: expected 2 × 2 = 4 values, got 3/);
    expect(() => rocAnalysis({ probabilities: [0.5, 0.5], labels: [2], classes: ['a', 'b'] })).toThrow(/labels\[0\]: 2 is not a class index/);
  });
});

describe('bootstrap intervals', () => {
  const ten = scoresOf(cases[4]);

  it('the weighted AUC with unit weights is the ROC area', () => {
    cases[4].classes.forEach((_, k) => {
      const { positive, score } = column(cases[4], k);
      const p = new RankedProblem(
        positive,
        score,
        Int32Array.from(positive, (_, i) => i),
      );
      expect(p.auc(new Float64Array(positive.length).fill(1))).toBeCloseTo(rocAuc(positive, score), 12);
    });
  });

  it('are reproducible from the seed, differ for another seed, and contain the point estimate', () => {
    const a = rocAnalysis(ten, { replicates: 300, seed: 7 });
    const b = rocAnalysis(ten, { replicates: 300, seed: 7 });
    const other = rocAnalysis(ten, { replicates: 300, seed: 8 });
    expect(b.ci).toEqual(a.ci);
    expect(b.perClass.map((p) => p.aucCi)).toEqual(a.perClass.map((p) => p.aucCi));
    expect(other.ci.aucMacro).not.toEqual(a.ci.aucMacro);
    for (const [point, ci] of [
      [a.aucMacro, a.ci.aucMacro],
      [a.aucMicro, a.ci.aucMicro],
      [a.accuracy, a.ci.accuracy],
    ] as const) {
      expect(ci!.low).toBeLessThan(point!);
      expect(ci!.high).toBeGreaterThan(point!);
    }
    // 400 samples: the accuracy interval is about ±2 standard errors wide.
    const se = Math.sqrt((a.accuracy * (1 - a.accuracy)) / 400);
    expect(a.ci.accuracy!.high - a.ci.accuracy!.low).toBeGreaterThan(2.5 * se);
    expect(a.ci.accuracy!.high - a.ci.accuracy!.low).toBeLessThan(5.5 * se);
  });
});

describe('McNemar and Wilson against scipy', () => {
  it('exact binomial and chi-square (continuity-corrected) p-values', () => {
    for (const f of stats.mcnemar) {
      expect(mcnemarExact(f.b, f.c), `exact ${f.b}/${f.c}`).toBeCloseTo(f.exactP, 12);
      const auto = mcnemar(f.b, f.c, 0);
      expect(auto.statistic).toBeCloseTo(f.chi2Statistic, 12);
      expect(Math.abs(auto.pValue - f.chi2P) / Math.max(f.chi2P, 1e-300), `chi2 ${f.b}/${f.c}`).toBeLessThan(1e-10);
    }
  });

  it('uses the exact test below 25 discordant pairs and chi-square from there', () => {
    expect(mcnemar(3, 7)).toMatchObject({ method: 'exact' });
    expect(mcnemar(12, 12)).toMatchObject({ method: 'exact', pValue: 1 });
    expect(mcnemar(13, 12)).toMatchObject({ method: 'chi2', pValue: 1 });
    expect(mcnemar(30, 45).method).toBe('chi2');
    expect(() => mcnemar(-1, 2)).toThrow(/b must be a non-negative integer/);
  });

  it('chi-square tail at known quantiles', () => {
    expect(chiSquareSf(3.841458820694124)).toBeCloseTo(0.05, 13);
    expect(chiSquareSf(6.634896601021214)).toBeCloseTo(0.01, 13);
  });

  it('Wilson score interval', () => {
    for (const f of stats.wilson) {
      const ci = wilsonInterval(f.k, f.n);
      expect(ci.low).toBeCloseTo(f.low, 12);
      expect(ci.high).toBeCloseTo(f.high, 12);
    }
  });
});

describe('comparison, error analysis and pictures', () => {
  const ten = scoresOf(cases[4]);
  const outcomes = (s: Scores, shift = 0) => {
    const k = s.classes.length;
    const m = new Map<string, boolean>();
    for (let i = 0; i < s.labels.length; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (s.probabilities[i * k + c] > s.probabilities[i * k + best]) best = c;
      m.set(`s${String(i + shift).padStart(4, '0')}`, best === s.labels[i]);
    }
    return m;
  };

  it('a model compared with itself shows no difference', () => {
    const model = { outcomes: outcomes(ten), parameters: 1000, latencyMs: 1, trainingSeconds: 10, epochs: 3 };
    const c = compareModels([
      { id: 'a', ...model },
      { id: 'a-again', ...model },
    ]);
    expect(c.samples).toBe(400);
    expect(c.pairs).toHaveLength(1);
    expect(c.pairs[0]).toMatchObject({ b: 0, c: 0, pValue: 1, adjustedP: 1, significant: false, method: 'exact' });
    expect(c.rows[0].accuracy).toBe(c.rows[1].accuracy);
  });

  it('pairs only shared samples, finds a clearly better model, and marks the Pareto front', () => {
    const good = outcomes(ten);
    const bad = new Map([...good].map(([k, v], i) => [k, i % 3 === 0 ? false : v]));
    bad.set('only-here', true);
    const c = compareModels([
      { id: 'good', outcomes: good, parameters: 5000, latencyMs: null, trainingSeconds: null, epochs: null },
      { id: 'bad', outcomes: bad, parameters: 9000, latencyMs: null, trainingSeconds: null, epochs: null },
      { id: 'small', outcomes: bad, parameters: 100, latencyMs: null, trainingSeconds: null, epochs: null },
    ]);
    expect(c.samples).toBe(400);
    const gb = c.pairs.find((p) => p.first === 'good' && p.second === 'bad')!;
    expect(gb.c).toBe(0);
    expect(gb.b).toBeGreaterThan(60);
    expect(gb.significant).toBe(true);
    expect(c.rows.map((r) => r.pareto)).toEqual([true, false, true]);
    const svg = renderComparisonSvg({ title: 'compare', subtitle: 'three', comparison: c });
    expect(xmlErrors(svg)).toEqual([]);
    expect(svg).toContain('Pareto');
  });

  it('Holm adjustment is monotone and capped at 1', () => {
    close(holmAdjust([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06], 14);
    expect(holmAdjust([0.9, 0.8])).toEqual([1, 1]);
    close(holmAdjust([0.2, 0.01]), [0.2, 0.02], 14);
  });

  it('error analysis lists the most confident mistakes first and breaks errors down by condition', () => {
    const info = ten.labels.length
      ? Array.from({ length: ten.labels.length }, (_, i) => ({
          signal: `ds:${Math.floor(i / 4)}`,
          windowStart: (i % 4) * 2048,
          conditions: { load: String(i % 4), sourceFile: i < 200 ? 'a.mat' : null },
        }))
      : [];
    const e = errorAnalysis(ten, info, { maxListed: 10 });
    const r = classify(ten);
    expect(e.errors).toBe(Math.round(400 * (1 - r.accuracy)));
    expect(e.misclassified).toHaveLength(10);
    for (let i = 1; i < e.misclassified.length; i++) expect(e.misclassified[i - 1].confidence).toBeGreaterThanOrEqual(e.misclassified[i].confidence);
    expect(e.byCondition.load.map((g) => g.value)).toEqual(['0', '1', '2', '3']);
    expect(e.byCondition.load.reduce((a, g) => a + g.errors, 0)).toBe(e.errors);
    expect(e.byCondition.sourceFile).toEqual([expect.objectContaining({ value: 'a.mat', count: 200 })]);
    const svg = renderErrorsSvg({ title: 'errors', subtitle: 'ten classes', classes: ten.classes, errors: e });
    expect(xmlErrors(svg)).toEqual([]);
  });

  it('the experiment page inlines its training curves and every evaluation picture, escaped', () => {
    const a = rocAnalysis(ten, { replicates: 0 });
    const rocSvg = renderRocSvg({ title: 'ROC', subtitle: 'x', analysis: a });
    const html = renderExperimentPage({
      experimentId: 'exp-<1>',
      datasetId: 'ds',
      facts: { 'test accuracy': 0.93, backend: 'wasm', parameters: null },
      epochs: [1, 2, 3].map((epoch) => ({ epoch, loss: 1 / epoch, accuracy: 0.5 + epoch / 10, valLoss: epoch === 2 ? null : 1.1 / epoch, valAccuracy: 0.5 })),
      evaluations: [
        { id: 'compare-1', kind: 'compare', datasetId: 'ds', split: 'test', summary: { bestAccuracy: 0.9 }, svg: null, completedAt: '2026-01-02T00:00:00Z' },
        {
          id: 'evaluate-roc-exp-1-ds',
          kind: 'roc',
          datasetId: 'ds',
          split: 'test',
          summary: { aucMacro: 0.97 },
          svg: rocSvg,
          completedAt: '2026-01-03T00:00:00Z',
        },
      ],
      generatedAt: '2026-01-04T00:00:00Z',
    });
    expect(html).toContain('<title>Experiment exp-&lt;1&gt;</title>');
    // ROC before comparison, whatever the completion order.
    expect(html.indexOf('id="evaluate-roc-exp-1-ds"')).toBeLessThan(html.indexOf('id="compare-1"'));
    expect(html).toContain('picture not available');
    const svgs = [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    expect(svgs).toHaveLength(2);
    for (const svg of svgs) expect(xmlErrors(svg)).toEqual([]);
    expect(xmlErrors(renderTrainingCurvesSvg('e', []))).toEqual([]);
  });

  it('the ROC picture is well-formed XML with one curve per class plus the micro average', () => {
    const a = rocAnalysis(ten, { replicates: 50 });
    const svg = renderRocSvg({ title: 'ROC <exp>', subtitle: 'ten classes', analysis: a });
    expect(xmlErrors(svg)).toEqual([]);
    expect(svg.match(/<polyline/g)!.length).toBe(10 + 1 + 10);
    expect(svg).toContain('ROC &lt;exp&gt;');
  });
});
