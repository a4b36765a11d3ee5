import { describe, expect, it } from 'vitest';
import { AshaPruner, MedianPruner, NoPruner, Prng, ashaRungs, restorePruner, type Pruner } from '../../workflows/search/index.js';

describe('ASHA rungs', () => {
  it('are minResource·η^k up to maxResource, which is always the last rung', () => {
    expect(ashaRungs({ minResource: 1, maxResource: 27, reductionFactor: 3 })).toEqual([1, 3, 9, 27]);
    expect(ashaRungs({ minResource: 2, maxResource: 20, reductionFactor: 3 })).toEqual([2, 6, 18, 20]);
    expect(ashaRungs({ minResource: 5, maxResource: 5, reductionFactor: 2 })).toEqual([5]);
    expect(new AshaPruner({ minResource: 1, maxResource: 16, reductionFactor: 2 }).rungs()).toEqual([1, 2, 4, 8, 16]);
    expect(() => new AshaPruner({ minResource: 4, maxResource: 2 })).toThrow(/maxResource/);
  });
});

/**
 * Simulates an asynchronous campaign: trials interleave at random, each reporting at its current
 * rung a value that improves with resource, until stopped or complete. Returns each trial's rung
 * of exit, and checks the promotion rule at every decision.
 */
function simulate(pruner: AshaPruner, nTrials: number, seed: number): Map<number, { rung: number; decision: string }> {
  const rng = Prng.fromSeed(seed);
  const quality = Array.from({ length: nTrials }, () => rng.next());
  const rungOf = new Map<number, number>();
  const ended = new Map<number, { rung: number; decision: string }>();
  const eta = pruner.options.reductionFactor;
  let started = 0;
  while (ended.size < nTrials) {
    const running = [...rungOf.keys()];
    // Start a new trial or advance a random running one.
    const trial = started < nTrials && (running.length < 4 || rng.next() < 0.3) ? started++ : running[rng.int(running.length)];
    const rung = rungOf.get(trial) ?? 0;
    const value = quality[trial] / (1 + pruner.rungs()[rung]); // minimised
    const before = pruner.table(rung).map((e) => e.value);
    const decision = pruner.report(trial, rung, value);
    const all = [...before, value];
    if (decision === 'promote') {
      const k = Math.max(1, Math.floor(all.length / eta));
      expect(all.filter((v) => v < value).length).toBeLessThan(k); // within the top 1/η (or the best while n < η)
      expect(rung + 1).toBeLessThan(pruner.rungs().length); // never beyond maxResource
      rungOf.set(trial, rung + 1);
    } else {
      expect(decision).toBe(rung === pruner.rungs().length - 1 ? 'complete' : 'stop');
      expect(ended.has(trial)).toBe(false);
      ended.set(trial, { rung, decision });
      rungOf.delete(trial);
    }
  }
  return ended;
}

describe('ASHA promotion', () => {
  it('promotes only the top 1/η at each rung; every trial ends at exactly one rung; none beyond maxResource', () => {
    for (const seed of [1, 2, 3]) {
      const pruner = new AshaPruner({ minResource: 1, maxResource: 27, reductionFactor: 3 });
      const ended = simulate(pruner, 120, seed);
      expect(ended.size).toBe(120);
      const perRung = pruner.trialsPerRung();
      expect(perRung[0]).toBe(120);
      // Exits per rung = reports per rung minus promotions out of it: each trial counted once.
      for (let k = 0; k < perRung.length; k++) {
        const exits = [...ended.values()].filter((e) => e.rung === k).length;
        const promoted = pruner.table(k).filter((e) => e.decision === 'promote').length;
        expect(exits).toBe(perRung[k] - promoted);
        if (k + 1 < perRung.length) expect(perRung[k + 1]).toBe(promoted);
        // Asynchronous: a rule checked at each report's time, so overall a little over 1/η is
        // promoted (an early result beats a rung that is still short), but far from everyone.
        if (k + 1 < perRung.length && perRung[k] >= 9) expect(promoted).toBeLessThan(perRung[k] / 2);
      }
      expect(pruner.table(3).every((e) => e.decision === 'complete')).toBe(true);
    }
  });

  it('first reports: the best so far is promoted while fewer than η results exist', () => {
    const p = new AshaPruner({ minResource: 1, maxResource: 9, reductionFactor: 3, direction: 'maximize' });
    expect(p.report(0, 0, 0.5)).toBe('promote');
    expect(p.report(1, 0, 0.4)).toBe('stop');
    expect(p.report(2, 0, 0.9)).toBe('promote'); // top ⌊3/3⌋ = 1
    expect(p.report(3, 0, 0.6)).toBe('stop');
    expect(p.report(0, 1, 0.7)).toBe('promote');
    expect(p.report(0, 2, 0.8)).toBe('complete');
  });

  it('rejects out-of-order reports, is idempotent for repeats, and survives a JSON round trip', () => {
    const p = new AshaPruner({ minResource: 1, maxResource: 9, reductionFactor: 3 });
    expect(p.report(0, 0, 1)).toBe('promote');
    expect(p.report(0, 0, 1)).toBe('promote');
    expect(() => p.report(0, 0, 2)).toThrow('already reported');
    expect(p.report(1, 0, 2)).toBe('stop');
    expect(() => p.report(1, 1, 2)).toThrow('not promoted to rung 1');
    expect(() => p.report(5, 3, 1)).toThrow('rung must be');
    const q = restorePruner(JSON.parse(JSON.stringify(p.state()))) as Pruner;
    expect(q.state()).toEqual(p.state());
    expect(q.report(2, 0, 0.5)).toBe(p.report(2, 0, 0.5));
  });
});

describe('MedianPruner', () => {
  it('stops trials worse than the median of the others at the same step, only after warm-up', () => {
    const p = new MedianPruner({ maxResource: 5, interval: 1, warmupSteps: 2, minTrials: 3 });
    expect(p.rungs()).toEqual([1, 2, 3, 4, 5]);
    for (let t = 0; t < 3; t++) for (let s = 0; s < 5; s++) p.report(t, s, t + 1 - s * 0.1); // values 1, 2, 3 (-0.1/step)
    // Step 0 and 1 are warm-up: a terrible value still continues.
    expect(p.report(3, 0, 100)).toBe('promote');
    expect(p.report(3, 1, 100)).toBe('promote');
    // Step 2: median of others is 2 - 0.2 = 1.8; 100 is worse.
    expect(p.report(3, 2, 100)).toBe('stop');
    // A good trial survives to the end.
    for (let s = 0; s < 4; s++) expect(p.report(4, s, 0.5)).toBe('promote');
    expect(p.report(4, 4, 0.5)).toBe('complete');
  });

  it('does not prune before minTrials others have reported at that step', () => {
    const p = new MedianPruner({ maxResource: 3, minTrials: 2, direction: 'maximize' });
    p.report(0, 0, 0.9);
    expect(p.report(1, 0, 0.1)).toBe('promote'); // one other only
    expect(p.report(2, 0, 0.1)).toBe('stop'); // median 0.5 of (0.9, 0.1), maximising
  });
});

describe('NoPruner', () => {
  it('has the full budget as its only rung', () => {
    const p = new NoPruner({ maxResource: 20 });
    expect(p.rungs()).toEqual([20]);
    expect(p.report(0, 0, 3)).toBe('complete');
  });
});
