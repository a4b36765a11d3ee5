import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileArtifactStore } from '../../artifacts/file-store.js';
import type { TrainingHeartbeat } from '../../contracts/training.js';
import { runTrainingInChildProcess, type TrainingSignalRef } from '../../ml/train/index.js';
import { smallJob, storeSyntheticSignals } from './training-fixtures.js';

let dir: string;
let signals: TrainingSignalRef[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'faultline-train-proc-'));
  signals = await storeSyntheticSignals(new FileArtifactStore(dir), { perClass: 12, length: 256 * 8, seed: 1 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Poll until `check` holds (bounded by the test timeout, not asserted as a duration). */
async function waitFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 50));
}

describe('runTrainingInChildProcess', () => {
  it('trains in a child process, delivers epochs strictly in order, and resolves after the last callback', async () => {
    const events: string[] = [];
    let backend = '';
    let pid = 0;
    const outcome = await runTrainingInChildProcess(smallJob(signals, { epochs: 3 }), {
      artifacts: dir,
      backend: 'wasm',
      onSpawn: (p) => (pid = p),
      onBackend: (name) => {
        backend = name;
      },
      onEpoch: async (r) => {
        events.push(`start ${r.epoch}`);
        // A slow consumer (e.g. a database write): the next epoch must wait for it.
        await new Promise((resolve) => setTimeout(resolve, 150));
        events.push(`end ${r.epoch}`);
      },
    });
    expect(events).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
    expect(backend).toBe('wasm');
    expect(outcome.backend).toBe('wasm');
    expect(outcome.epochsCompleted).toBe(3);
    expect(outcome.testAccuracy).toBeGreaterThan(0.25);
    expect(await new FileArtifactStore(dir).has(outcome.modelUri)).toBe(true);
    await waitFor(() => !isAlive(pid));
  });

  it('resumes in a new child from the last heartbeat of an aborted one, matching an uninterrupted run', async () => {
    const straight = await runTrainingInChildProcess(smallJob(signals, { epochs: 4 }), { artifacts: dir, onEpoch: async () => undefined });

    const ac = new AbortController();
    const beats: TrainingHeartbeat[] = [];
    const first = runTrainingInChildProcess(smallJob(signals, { epochs: 4 }), {
      artifacts: dir,
      signal: ac.signal,
      onEpoch: async (r) => {
        beats.push(r);
        if (r.epoch === 2) ac.abort();
      },
    });
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    const last = beats[beats.length - 1];
    expect(last.epoch).toBeGreaterThanOrEqual(2);

    const resumedEpochs: number[] = [];
    const resumed = await runTrainingInChildProcess(
      { ...smallJob(signals, { epochs: 4 }), resume: last },
      { artifacts: dir, onEpoch: async (r) => void resumedEpochs.push(r.epoch) },
    );
    expect(resumedEpochs).toEqual([3, 4].filter((e) => e > last.epoch));
    expect(resumed.modelUri).toBe(straight.modelUri);
    expect(resumed.testAccuracy).toBe(straight.testAccuracy);
    expect(resumed.confusionMatrix).toEqual(straight.confusionMatrix);
  });

  it('rejects with a clear error when the child is killed', async () => {
    let pid = 0;
    const run = runTrainingInChildProcess(smallJob(signals, { epochs: 50 }), {
      artifacts: dir,
      onSpawn: (p) => (pid = p),
      onEpoch: async () => {
        process.kill(pid, 'SIGKILL');
      },
    });
    await expect(run).rejects.toThrow(/training child process \(pid \d+\) was killed by signal SIGKILL before reporting a result/);
  });

  it('aborts: terminates the child and rejects with an AbortError', async () => {
    const ac = new AbortController();
    let pid = 0;
    const seen: number[] = [];
    const run = runTrainingInChildProcess(smallJob(signals, { epochs: 50 }), {
      artifacts: dir,
      signal: ac.signal,
      onSpawn: (p) => (pid = p),
      onEpoch: async (r) => {
        seen.push(r.epoch);
        ac.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(isAlive(pid)).toBe(false); // rejected only once the child is gone
    expect(seen.length).toBeLessThan(50);
  });

  it("keeps the child's error name and message (TrainingDiverged)", async () => {
    const run = runTrainingInChildProcess(smallJob(signals, { optimizer: 'sgd', learningRate: 1e30 }), {
      artifacts: dir,
      onEpoch: async () => undefined,
    });
    await expect(run).rejects.toMatchObject({ name: 'TrainingDiverged', message: expect.stringMatching(/training diverged: /) });
  });

  it('keeps the code of artifact errors (missing signal)', async () => {
    const missing = signals.map((s, i) => (i === 0 ? { ...s, uri: `artifact:sha256/${'0'.repeat(64)}` } : s));
    const run = runTrainingInChildProcess(smallJob(missing), { artifacts: dir, onEpoch: async () => undefined });
    await expect(run).rejects.toMatchObject({ name: 'ArtifactError', code: 'ARTIFACT_NOT_FOUND' });
  });

  it('stops the child when its parent dies (killing a worker kills its training)', async () => {
    const jobFile = path.join(dir, 'job.json');
    await writeFile(jobFile, JSON.stringify(smallJob(signals, { epochs: 200 })));
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const fixture = fileURLToPath(new URL('./training-parent-fixture.ts', import.meta.url));
    const parent = spawn(process.execPath, ['--import', tsx, fixture, dir, jobFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    parent.stdout.setEncoding('utf8');
    parent.stdout.on('data', (c: string) => (out += c));
    await waitFor(() => /epoch 1\n/.test(out));
    const childPid = Number(/child-pid (\d+)/.exec(out)?.[1]);
    expect(isAlive(childPid)).toBe(true);
    parent.kill('SIGKILL');
    await waitFor(() => !isAlive(childPid));
  });
});
