import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/index.js';
import { QUEUE_ROLES } from '../../contracts/index.js';
import { thrownBy } from '../support/errors.js';

const CWD = path.resolve('/srv/faultline');

/** loadConfig on exactly these variables (never the test process's own environment). */
const load = (env: Record<string, string | undefined> = {}) => loadConfig(env, CWD);

const configError = (env: Record<string, string | undefined>): ConfigError => thrownBy(() => load(env), ConfigError);

describe('loadConfig defaults', () => {
  it('uses an embedded PGlite database and artifacts under .data, and an embedded Temporal on 127.0.0.1:7233', () => {
    const c = load();
    expect(c.dataDir).toBe(path.join(CWD, '.data'));
    expect(c.database).toEqual({ kind: 'pglite', dir: path.join(CWD, '.data', 'pglite') });
    expect(c.artifactDir).toBe(path.join(CWD, '.data', 'artifacts'));
    expect(c.temporal).toEqual({
      mode: 'embedded',
      address: '127.0.0.1:7233',
      namespace: 'default',
      cliPath: undefined,
      devPort: 7233,
      uiPort: 8233,
      retention: '7d',
    });
    expect(c.dashboardUrl).toBe('http://localhost:8050');
    expect(c.notifyWebhookUrl).toBeUndefined();
    expect(c.tfjsBackend).toBeUndefined();
    expect(c.worker).toEqual({ queues: QUEUE_ROLES, trainSlots: undefined, cpuSlots: undefined, controlSlots: 50, metricsBind: undefined });
    expect(c.logLevel).toBe('info');
  });

  it('resolves relative directories against cwd and keeps absolute ones', () => {
    const c = load({ FAULTLINE_DATA_DIR: 'var/fl', ARTIFACT_DIR: '/mnt/artifacts' });
    expect(c.dataDir).toBe(path.join(CWD, 'var', 'fl'));
    expect(c.database).toEqual({ kind: 'pglite', dir: path.join(CWD, 'var', 'fl', 'pglite') });
    expect(c.artifactDir).toBe(path.resolve('/mnt/artifacts'));
    expect(load({ PGLITE_DIR: 'db' }).database).toEqual({ kind: 'pglite', dir: path.join(CWD, 'db') });
  });

  it('moves the embedded Temporal address with TEMPORAL_DEV_PORT', () => {
    const c = load({ TEMPORAL_DEV_PORT: '17233', TEMPORAL_UI_PORT: '18233' });
    expect(c.temporal).toMatchObject({ mode: 'embedded', address: '127.0.0.1:17233', devPort: 17233, uiPort: 18233 });
  });

  it('drops trailing slashes from DASHBOARD_URL', () => {
    expect(load({ DASHBOARD_URL: 'https://dash.example.com/app//' }).dashboardUrl).toBe('https://dash.example.com/app');
  });

  it('reads worker queues and slots', () => {
    const c = load({ WORKER_QUEUES: ' train , cpu ', TRAIN_SLOTS: '1', CPU_SLOTS: '4', CONTROL_SLOTS: '20', METRICS_BIND: '0.0.0.0:9464' });
    expect(c.worker).toEqual({ queues: ['train', 'cpu'], trainSlots: 1, cpuSlots: 4, controlSlots: 20, metricsBind: '0.0.0.0:9464' });
  });
});

describe('loadConfig switches', () => {
  it('DATABASE_URL switches to Postgres with a pool size', () => {
    expect(load({ DATABASE_URL: 'postgres://u:p@db:5432/faultline' }).database).toEqual({
      kind: 'pg',
      url: 'postgres://u:p@db:5432/faultline',
      poolMax: 10,
    });
    expect(load({ DATABASE_URL: 'postgresql://db/fl', DB_POOL_MAX: '3' }).database).toEqual({ kind: 'pg', url: 'postgresql://db/fl', poolMax: 3 });
  });

  it('DB_OUTAGE_SECONDS is the reconnect budget of activities, 120 s unless set (0 turns it off)', () => {
    expect(load({}).dbOutageSeconds).toBe(120);
    expect(load({ DB_OUTAGE_SECONDS: '0' }).dbOutageSeconds).toBe(0);
    expect(load({ DB_OUTAGE_SECONDS: '600' }).dbOutageSeconds).toBe(600);
  });

  it('TEMPORAL_ADDRESS switches to an external Temporal', () => {
    const c = load({ TEMPORAL_ADDRESS: 'temporal.prod:7233', TEMPORAL_NAMESPACE: 'faultline' });
    expect(c.temporal).toMatchObject({ mode: 'external', address: 'temporal.prod:7233', namespace: 'faultline' });
  });

  it('takes every TFJS_BACKEND it knows', () => {
    for (const b of ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const) expect(load({ TFJS_BACKEND: b }).tfjsBackend).toBe(b);
  });
});

describe('loadConfig rejects bad values, naming the variable and the value', () => {
  it.each([
    ['DATABASE_URL', 'mysql://x'],
    ['TEMPORAL_DEV_PORT', 'abc'],
    ['TEMPORAL_DEV_PORT', '70000'],
    ['TEMPORAL_UI_PORT', '0'],
    ['DB_POOL_MAX', '-1'],
    ['DB_OUTAGE_SECONDS', '1.5'],
    ['DB_OUTAGE_SECONDS', '3601'],
    ['WORKER_QUEUES', 'control,gpu'],
    ['WORKER_QUEUES', ' , '],
    ['TFJS_BACKEND', 'cuda'],
    ['DASHBOARD_URL', 'not a url'],
    ['NOTIFY_WEBHOOK_URL', 'hooks.example.com'],
    ['TEMPORAL_RETENTION', '7'],
    ['TEMPORAL_ADDRESS', 'temporal.prod'],
    ['METRICS_BIND', '9464'],
    ['LOG_LEVEL', 'verbose'],
  ])('%s=%s', (variable, value) => {
    const err = configError({ [variable]: value });
    expect(err.problems).toEqual([expect.objectContaining({ variable, value })]);
    expect(err.message).toContain(variable);
    expect(err.message).toContain(JSON.stringify(value));
    expect(err.name).toBe('ConfigError');
    expect(err).toBeInstanceOf(Error);
  });

  it('reports every bad variable at once', () => {
    const err = configError({ DATABASE_URL: 'mysql://x', TEMPORAL_DEV_PORT: 'abc', TFJS_BACKEND: 'cuda', TEMPORAL_RETENTION: '7', DASHBOARD_URL: 'ok?' });
    expect(err.problems.map((p) => p.variable).sort()).toEqual(['DASHBOARD_URL', 'DATABASE_URL', 'TEMPORAL_DEV_PORT', 'TEMPORAL_RETENTION', 'TFJS_BACKEND']);
    for (const [variable, value] of [
      ['DATABASE_URL', 'mysql://x'],
      ['TEMPORAL_DEV_PORT', 'abc'],
      ['TFJS_BACKEND', 'cuda'],
      ['TEMPORAL_RETENTION', '7'],
      ['DASHBOARD_URL', 'ok?'],
    ]) {
      expect(err.message).toContain(`${variable}=${JSON.stringify(value)}`);
    }
  });

  it('says what a good value looks like', () => {
    expect(configError({ DATABASE_URL: 'mysql://x' }).message).toContain('postgres://');
    expect(configError({ TEMPORAL_RETENTION: '7' }).message).toContain('72h or 7d');
    expect(configError({ TEMPORAL_DEV_PORT: 'abc' }).message).toContain('whole number');
  });
});

describe('loadConfig: empty strings count as unset', () => {
  it('falls back to every default when variables are blank', () => {
    const blank = {
      FAULTLINE_DATA_DIR: '',
      DATABASE_URL: '',
      ARTIFACT_DIR: '',
      TEMPORAL_ADDRESS: '',
      TEMPORAL_DEV_PORT: '',
      TFJS_BACKEND: '',
      WORKER_QUEUES: '',
      DASHBOARD_URL: '',
      TEMPORAL_RETENTION: '',
      LOG_LEVEL: '',
    };
    expect(load(blank)).toEqual(load());
  });

  it('ignores undefined entries the same way', () => {
    expect(load({ DATABASE_URL: undefined, TEMPORAL_ADDRESS: undefined })).toEqual(load());
  });

  it('ignores variables it does not know', () => {
    expect(load({ PATH: '/usr/bin', HOME: '/root' })).toEqual(load());
  });
});

describe('ARTIFACT_URL', () => {
  it('defaults to the ARTIFACT_DIR directory', () => {
    expect(load().artifacts).toEqual({ kind: 'file', dir: path.join(CWD, '.data', 'artifacts') });
    expect(load({ ARTIFACT_DIR: 'store' }).artifacts).toEqual({ kind: 'file', dir: path.join(CWD, 'store') });
  });

  it('s3://bucket/prefix with an S3-compatible endpoint: path-style, region, part size', () => {
    const c = load({ ARTIFACT_URL: 's3://fl-artifacts/prod/run/', S3_ENDPOINT: 'http://minio:9000', S3_PART_MB: '8' });
    expect(c.artifacts).toEqual({
      kind: 's3',
      bucket: 'fl-artifacts',
      prefix: 'prod/run',
      endpoint: 'http://minio:9000',
      region: 'us-east-1',
      forcePathStyle: true,
      partBytes: 8 * 1024 * 1024,
    });
    // AWS itself: virtual-host style unless told otherwise; the region from AWS_REGION.
    expect(load({ ARTIFACT_URL: 's3://fl-artifacts', AWS_REGION: 'eu-west-1' }).artifacts).toMatchObject({
      bucket: 'fl-artifacts',
      prefix: '',
      endpoint: undefined,
      region: 'eu-west-1',
      forcePathStyle: false,
    });
    expect(load({ ARTIFACT_URL: 's3://fl-artifacts', S3_REGION: 'ap-south-1', AWS_REGION: 'eu-west-1', S3_FORCE_PATH_STYLE: 'true' }).artifacts).toMatchObject({
      region: 'ap-south-1',
      forcePathStyle: true,
    });
  });

  it('file:// URLs and plain paths are directories', () => {
    expect(load({ ARTIFACT_URL: 'file:///mnt/a%20b' }).artifacts).toEqual({ kind: 'file', dir: path.resolve('/mnt/a b') });
    expect(load({ ARTIFACT_URL: 'shared/artifacts' }).artifactDir).toBe(path.join(CWD, 'shared', 'artifacts'));
  });

  it('refuses a bad bucket, a bad scheme, dot segments, a tiny part size and two different directories, naming the variable', () => {
    expect(configError({ ARTIFACT_URL: 's3://Bad_Bucket/x' }).message).toContain(
      'ARTIFACT_URL="s3://Bad_Bucket/x": bucket "Bad_Bucket" is not a valid S3 bucket name',
    );
    expect(configError({ ARTIFACT_URL: 'gs://bucket/x' }).message).toContain('ARTIFACT_URL="gs://bucket/x": unsupported scheme');
    expect(configError({ ARTIFACT_URL: 's3://bucket/a/../b' }).message).toContain(`prefix "a/../b" must not contain '.' or '..' segments`);
    expect(configError({ S3_PART_MB: '1' }).message).toContain('S3_PART_MB="1"');
    expect(configError({ S3_ENDPOINT: 'minio:9000' }).message).toContain('S3_ENDPOINT="minio:9000"');
    expect(configError({ ARTIFACT_URL: '/a', ARTIFACT_DIR: '/b' }).message).toContain('names the directory /a but ARTIFACT_DIR names /b');
  });
});
