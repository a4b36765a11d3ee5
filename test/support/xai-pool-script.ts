/**
 * A script that uses the XAI pool the way a CLI or a bench would: no timer of its own, and (with
 * `--no-close`) never closing the pool. It must print its result and exit by itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileArtifactStore } from '../../artifacts/file-store.js';
import { XaiMethodsSchema } from '../../contracts/xai.js';
import { buildModel, serializeModel, REFERENCE_ARCHITECTURE } from '../../ml/model/index.js';
import { initBackend } from '../../ml/tf/index.js';
import { XaiProcessPool } from '../../ml/xai/pool.js';

await initBackend('wasm');
const dir = mkdtempSync(path.join(os.tmpdir(), 'xai-pool-script-'));
const store = new FileArtifactStore(dir);
const model = buildModel(REFERENCE_ARCHITECTURE, { inputLength: 2048, numClasses: 4, seed: 1 });
const { uri } = await store.put(await serializeModel(model, { includeOptimizer: false }), { kind: 'model', mediaType: 'application/octet-stream' });
const pool = new XaiProcessPool({ size: 2, artifacts: dir, backend: 'wasm' });
const window = new Float32Array(2048).map((_, i) => Math.sin(i / 5));
const r = await pool.run(uri, {
  windows: [window],
  classes: ['normal', 'inner_race', 'outer_race', 'ball'],
  target: 'predicted',
  methods: XaiMethodsSchema.parse({ 'grad-cam': {} }),
  faithfulness: { steps: 8, randomOrders: 2 },
  summary: { segments: 8, topK: 2, bands: 4 },
  samplingRateHz: 12_000,
  seed: 1,
});
process.stdout.write(`explained ${r.methods.map((m) => m.method).join(',')}\n`);
if (!process.argv.includes('--no-close')) {
  await pool.close();
  process.stdout.write(`closed ${pool.pids.length}\n`);
}
rmSync(dir, { recursive: true, force: true });
