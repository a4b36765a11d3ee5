import { Context } from '@temporalio/activity';
import { classLabel, GenerateSignalChunkInputSchema, type GenerateSignalChunkInput } from '../contracts/index.js';
import { encodeFloat32 } from '../artifacts/codecs.js';
import { registerArtifact } from '../db/repos/artifacts.js';
import { upsertSignals, type SignalInput } from '../db/repos/datasets.js';
import { countSignals as plannedSignals, planSignal, simulateSignal, kurtosis, rms } from '../ml/signal/index.js';
import type { ActivityDeps } from './deps.js';
import { validateActivityInput } from './lib/failures.js';

const HEARTBEAT_MS = 2_000;

/**
 * Dataset generation on the CPU queue. Each signal costs a few milliseconds of simulation, so a
 * chunk runs on the event loop and heartbeats per signal; the arrays go to the content-addressed
 * store and rows are upserted by (dataset, index), which makes a retried chunk a no-op.
 */
export function createDatasetActivities(deps: ActivityDeps) {
  return {
    async generateSignalChunk(raw: GenerateSignalChunkInput): Promise<{ generated: number }> {
      const input = validateActivityInput(GenerateSignalChunkInputSchema, raw, 'generateSignalChunk input');
      const { config } = input;
      const end = input.start + input.count;
      if (end > plannedSignals(config)) {
        throw new RangeError(`chunk [${input.start}, ${end}) exceeds the dataset's ${plannedSignals(config)} signals`);
      }
      const ctx = Context.current();
      const rows: SignalInput[] = [];
      // Besides the heartbeat per signal: one every few seconds while a database write waits out
      // an outage (db/resilient.ts), so the chunk does not look like a dead worker.
      let lastIndex = input.start - 1;
      const beat = setInterval(() => ctx.heartbeat({ index: lastIndex }), HEARTBEAT_MS);
      try {
        for (let index = input.start; index < end; index++) {
          const spec = planSignal(config, index);
          const samples = simulateSignal(spec, config.samplingRateHz, config.signalLength);
          const stored = await deps.artifacts.put(encodeFloat32(samples), { kind: 'signal', mediaType: 'application/x-float32le' });
          await registerArtifact(deps.db, {
            uri: stored.uri,
            sha256: stored.sha256,
            kind: 'signal',
            mediaType: 'application/x-float32le',
            bytes: stored.bytes,
          });
          rows.push({
            idx: index,
            // The stored label is the dataset's class (fault-type-size: `inner_race_014`); the physics used the fault type.
            label: classLabel(config.scheme ?? 'fault-type', spec.label, spec.severityIn),
            severityIn: spec.severityIn,
            loadHp: spec.loadHp,
            shaftHz: spec.shaftHz,
            snrDb: spec.snrDb,
            seed: spec.seed,
            artifactUri: stored.uri,
            length: samples.length,
            samplingRateHz: config.samplingRateHz,
            rms: rms(samples),
            kurtosis: kurtosis(samples),
          });
          lastIndex = index;
          ctx.heartbeat({ index });
          // Cancellation is delivered through heartbeats; stop between signals when asked.
          if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
        }
        await upsertSignals(deps.db, input.datasetId, rows);
        return { generated: rows.length };
      } finally {
        clearInterval(beat);
      }
    },
  };
}
export type DatasetActivities = ReturnType<typeof createDatasetActivities>;
