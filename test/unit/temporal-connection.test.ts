import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { resolveConnection } from '../../temporal-config/connection.js';

const base = { address: '127.0.0.1:7233', namespace: 'default', devPort: 7233, uiPort: 8233, retention: '7d' };
const dir = mkdtempSync(path.join(os.tmpdir(), 'envconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveConnection', () => {
  it('embedded: plain address, no TLS, overridable', () => {
    const r = resolveConnection({ temporal: { ...base, mode: 'embedded' } }, { address: '127.0.0.1:9999' });
    expect(r).toEqual({ namespace: 'default', options: { address: '127.0.0.1:9999' }, source: 'embedded' });
  });

  it('external: a TOML profile supplies address, namespace, API key (TLS on); env overrides win', () => {
    const file = path.join(dir, 'temporal.toml');
    writeFileSync(
      file,
      [
        '[profile.default]',
        'address = "localhost:7233"',
        '[profile.cloud]',
        'address = "faultline.abcde.tmprl.cloud:7233"',
        'namespace = "faultline.abcde"',
        'api_key = "from-file"',
      ].join('\n'),
    );
    const env = { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud', TEMPORAL_API_KEY: 'from-env' };
    const r = resolveConnection({ temporal: { ...base, mode: 'external', address: 'ignored:1' } }, { env });
    expect(r.source).toBe('envconfig');
    expect(r.namespace).toBe('faultline.abcde');
    expect(r.options.address).toBe('faultline.abcde.tmprl.cloud:7233');
    expect(r.options.apiKey).toBe('from-env');
    expect(r.options.tls).toBe(true);
  });

  it('a TEMPORAL_PROFILE alone selects external mode, with the address from the profile', () => {
    const file = path.join(dir, 'profile-only.toml');
    writeFileSync(file, ['[profile.staging]', 'address = "temporal.staging.internal:7233"', 'namespace = "faultline-staging"'].join('\n'));
    const env = { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' };
    const config = loadConfig(env);
    expect(config.temporal.mode).toBe('external');
    const r = resolveConnection(config, { env });
    expect(r.options.address).toBe('temporal.staging.internal:7233');
    expect(r.namespace).toBe('faultline-staging');
  });

  it('external: TEMPORAL_* variables alone, with mTLS files', () => {
    const crt = path.join(dir, 'client.pem');
    const key = path.join(dir, 'client.key');
    writeFileSync(crt, 'CERT');
    writeFileSync(key, 'KEY');
    const env = {
      TEMPORAL_CONFIG_FILE: path.join(dir, 'missing.toml'),
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_NAMESPACE: 'faultline',
      TEMPORAL_TLS_CLIENT_CERT_PATH: crt,
      TEMPORAL_TLS_CLIENT_KEY_PATH: key,
    };
    const r = resolveConnection({ temporal: { ...base, mode: 'external', address: 'temporal.internal:7233', namespace: 'faultline' } }, { env });
    expect(r.options.address).toBe('temporal.internal:7233');
    expect(r.namespace).toBe('faultline');
    const tls = r.options.tls;
    if (typeof tls !== 'object' || !tls?.clientCertPair) throw new Error('expected an mTLS config');
    expect(Buffer.from(tls.clientCertPair.crt).toString()).toBe('CERT');
    expect(Buffer.from(tls.clientCertPair.key).toString()).toBe('KEY');
  });
});
