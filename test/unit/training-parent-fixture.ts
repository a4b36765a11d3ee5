/**
 * A stand-in worker for training-process.test.ts: starts a child training run, prints the
 * child's pid, then waits to be killed. Usage: node --import tsx <this file> <artifactDir> <job.json>
 */
import { readFile } from 'node:fs/promises';
import { runTrainingInChildProcess, type TrainingJob } from '../../ml/train/index.js';

const [artifactDir, jobFile] = process.argv.slice(2);
const job = JSON.parse(await readFile(jobFile, 'utf8')) as TrainingJob;
runTrainingInChildProcess(job, {
  artifacts: artifactDir,
  backend: 'wasm',
  onSpawn: (pid) => process.stdout.write(`child-pid ${pid}\n`),
  onEpoch: async (r) => void process.stdout.write(`epoch ${r.epoch}\n`),
}).then(
  () => process.stdout.write('done\n'),
  (e: unknown) => process.stdout.write(`failed ${String(e)}\n`),
);
