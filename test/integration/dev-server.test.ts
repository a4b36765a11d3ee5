import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../../contracts/search-attributes.js';
import { findTemporalCli } from '../../temporal-config/cli.js';
import { connectClient } from '../../temporal-config/connection.js';
import { isPortFree, startDevServer } from '../../temporal-config/dev-server.js';
import { retentionToSeconds } from '../../temporal-config/settings.js';
import { startTestTemporal, TEST_NAMESPACE, TEST_RETENTION, type TestTemporal } from '../support/temporal.js';

const run = promisify(execFile);
const cli = findTemporalCli({ temporal: { cliPath: process.env.TEMPORAL_CLI || undefined } });

/** Runs a `temporal` command against the test server and parses its JSON output. */
async function temporalJson<T>(address: string, args: string[]): Promise<T> {
  const { stdout } = await run(cli.path, [...args, '--address', address, '--namespace', TEST_NAMESPACE, '-o', 'json']);
  return JSON.parse(stdout) as T;
}

describe('dev-server launcher', () => {
  let t: TestTemporal;
  beforeAll(async () => {
    t = await startTestTemporal({ ui: true });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers on the frontend through connectClient (embedded mode)', async () => {
    const config = { temporal: { mode: 'embedded' as const, address: 'unused:1', namespace: TEST_NAMESPACE, devPort: 1, uiPort: 1, retention: TEST_RETENTION } };
    const { connection, namespace, close } = await connectClient(config, { address: t.address });
    try {
      const info = await connection.workflowService.getSystemInfo({});
      expect(info.serverVersion).toBeTruthy();
      expect(namespace).toBe(TEST_NAMESPACE);
    } finally {
      await close();
    }
  });

  it('sets the namespace retention to the configured value', async () => {
    const ns = await temporalJson<{ config: { workflowExecutionRetentionTtl: string } }>(t.address, ['operator', 'namespace', 'describe']);
    expect(ns.config.workflowExecutionRetentionTtl).toBe(`${retentionToSeconds(TEST_RETENTION)}s`);
  });

  it('registers the typed search attributes', async () => {
    const list = await temporalJson<{ customAttributes: Record<string, string> }>(t.address, ['operator', 'search-attribute', 'list']);
    const expected = Object.fromEntries(
      SEARCH_ATTRIBUTE_REGISTRATIONS.map(([name, type]) => [name, `INDEXED_VALUE_TYPE_${type.toUpperCase()}`]),
    );
    expect(list.customAttributes).toMatchObject(expected);
  });

  it('serves the Web UI', async () => {
    expect(t.server.uiUrl).toBeDefined();
    const res = await fetch(t.server.uiUrl as string);
    expect(res.status).toBe(200);
    await res.body?.cancel();
  });

  it('refuses a second server on a busy port with a clear message', async () => {
    const port = Number(t.address.split(':')[1]);
    await expect(
      startDevServer({ cliPath: cli.path, port, namespace: TEST_NAMESPACE, retention: '1d', ui: false }),
    ).rejects.toThrow(new RegExp(`port 127\\.0\\.0\\.1:${port} is already in use`));
  });
});

describe('dev-server stop()', () => {
  it('frees the port and leaves no process behind', async () => {
    const t = await startTestTemporal();
    const port = Number(t.address.split(':')[1]);
    expect(await isPortFree(port)).toBe(false);
    await t.stop();
    expect(await isPortFree(port)).toBe(true);
    expect(() => process.kill(t.server.pid, 0)).toThrow();
    await t.stop(); // idempotent
  });
});
