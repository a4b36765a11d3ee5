import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../../contracts/search-attributes.js';
import { findTemporalCli } from '../../temporal-config/cli.js';
import { connectClient } from '../../temporal-config/connection.js';
import { devServerArgs, freePort, isPortFree, pidFileOf, startDevServer } from '../../temporal-config/dev-server.js';
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
    const config = {
      temporal: { mode: 'embedded' as const, address: 'unused:1', namespace: TEST_NAMESPACE, devPort: 1, uiPort: 1, retention: TEST_RETENTION },
    };
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
    const expected = Object.fromEntries(SEARCH_ATTRIBUTE_REGISTRATIONS.map(([name, type]) => [name, `INDEXED_VALUE_TYPE_${type.toUpperCase()}`]));
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
    await expect(startDevServer({ cliPath: cli.path, port, namespace: TEST_NAMESPACE, retention: '1d', ui: false })).rejects.toThrow(
      new RegExp(`port 127\\.0\\.0\\.1:${port} is already in use`),
    );
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

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Polls `check` every 250 ms until it holds; fails with `what` after a generous deadline. */
async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for: ${what}`);
    await sleep(250);
  }
}

describe('no orphaned dev server', () => {
  it('a launcher killed with SIGKILL leaves no dev server behind (the watchdog ends it)', async () => {
    const script = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'support', 'dev-server-script.ts');
    const launcher = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      launcher.stdout.on('data', (c: Buffer) => {
        buf += c.toString();
        if (buf.includes('\n')) resolve(buf.split('\n')[0]);
      });
      launcher.once('exit', (code) => reject(new Error(`launcher exited early (${code})`)));
    });
    const { pid, address } = JSON.parse(line) as { pid: number; address: string };
    const port = Number(address.split(':')[1]);
    expect(alive(pid)).toBe(true);
    launcher.kill('SIGKILL');
    await eventually('the orphaned dev server to end', () => !alive(pid));
    await eventually('its port to be free', () => isPortFree(port));
  });

  it('replaces a stale persistent server recorded beside its SQLite file, whose launcher is gone', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-stale-'));
    const dbFile = path.join(dir, 'temporal.sqlite');
    const port = await freePort();
    // A server with no launcher and no watchdog: what a crash before this fix left behind.
    const stale = spawn(cli.path, devServerArgs({ port, dbFile, namespace: 'default' }), { detached: true, stdio: 'ignore' });
    stale.unref();
    await eventually('the stale server to listen', async () => !(await isPortFree(port)));
    writeFileSync(pidFileOf(dbFile), JSON.stringify({ pid: stale.pid, port, launcher: 2 ** 22 + 12_345 }));

    const server = await startDevServer({ cliPath: cli.path, port, dbFile, namespace: TEST_NAMESPACE, retention: '1d', ui: false });
    try {
      expect(alive(stale.pid as number)).toBe(false);
      expect(server.pid).not.toBe(stale.pid);
    } finally {
      await server.stop();
      if (alive(stale.pid as number)) process.kill(-(stale.pid as number), 'SIGKILL');
    }
  });
});
