import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { findTemporalCli } from '../../temporal-config/cli.js';

const REPLAY_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'replay', 'histories');

/**
 * With RECORD_REPLAY_HISTORIES set, save `workflowId`'s history as test/replay/histories/<name>.json
 * in the format users download (`temporal workflow show --output json`), for the replay test;
 * otherwise do nothing. E.g. `RECORD_REPLAY_HISTORIES=1 npx vitest run test/integration/hpo.test.ts`.
 */
export async function recordReplayHistory(temporal: { address: string; namespace: string }, workflowId: string, name: string): Promise<void> {
  if (!process.env.RECORD_REPLAY_HISTORIES) return;
  const cli = findTemporalCli({ temporal: { cliPath: process.env.TEMPORAL_CLI || undefined } });
  const args = ['workflow', 'show', '--workflow-id', workflowId, '--output', 'json', '--address', temporal.address, '--namespace', temporal.namespace];
  const { stdout } = await promisify(execFile)(cli.path, args, { maxBuffer: 64 * 1024 * 1024 });
  mkdirSync(REPLAY_DIR, { recursive: true });
  writeFileSync(path.join(REPLAY_DIR, `${name}.json`), stdout);
}

/**
 * The epochs a training workflow was told about (its `epochCompleted` signals), sorted. A crash
 * test compares them with 1..N: an epoch trained twice would be reported twice.
 */
export async function reportedEpochs(client: Client, workflowId: string): Promise<number[]> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  return events
    .filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'epochCompleted')
    .map((e) => {
      const data = e.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0]?.data as Uint8Array;
      return (JSON.parse(Buffer.from(data).toString('utf8')) as { epoch: number }).epoch;
    })
    .sort((a, b) => a - b);
}
