/** Every benchmark `npm run bench` knows, in the order it runs them; each declares itself in bench/defs/. */
import { bench as deploy } from '../defs/deploy.js';
import { bench as evalBench } from '../defs/eval.js';
import { bench as features } from '../defs/features.js';
import { bench as featuresBaseline } from '../defs/features-baseline.js';
import { bench as hpoAsha } from '../defs/hpo-asha.js';
import { bench as hpoOrchestration } from '../defs/hpo-orchestration.js';
import { bench as hpoSampleEfficiency } from '../defs/hpo-sample-efficiency.js';
import { bench as matReader } from '../defs/mat-reader.js';
import { bench as nasSearch } from '../defs/nas-search.js';
import { bench as realData } from '../defs/real-data.js';
import { bench as simulator } from '../defs/simulator.js';
import { bench as trainingBackends } from '../defs/training-backends.js';
import { bench as trainingThroughput } from '../defs/training-throughput.js';
import { bench as xai } from '../defs/xai.js';
import type { Bench } from './bench.js';

export const BENCHES: readonly Bench[] = [
  trainingThroughput,
  trainingBackends,
  simulator,
  hpoSampleEfficiency,
  hpoOrchestration,
  hpoAsha,
  nasSearch,
  xai,
  matReader,
  evalBench,
  realData,
  features,
  featuresBaseline,
  deploy,
];

export function findBench(name: string): Bench | undefined {
  return BENCHES.find((b) => b.name === name);
}
