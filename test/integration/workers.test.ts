import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { DestinationStream } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TASK_QUEUES, WORKFLOW_TASK_QUEUE } from '../../contracts/queues.js';
import { freePort } from '../../temporal-config/dev-server.js';
import { bundleWorkflows } from '../../workers/bundle.js';
import { createWorkers, runWorkers } from '../../workers/create-workers.js';
import { installRuntime } from '../../workers/runtime.js';
import { createEchoActivities } from '../support/echo-activities.js';
import { startTestTemporal, type TestTemporal } from '../support/temporal.js';

// Runtime.install is once per process: this file owns it (vitest runs each file in its own fork).
const logLines: string[] = [];
const destination: DestinationStream = { write: (line: string) => void logLines.push(line) };
const metricsPort = await freePort();
installRuntime({ metricsBind: `127.0.0.1:${metricsPort}`, logLevel: 'info', destination });

const ECHO_WORKFLOWS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../support/echo-workflows.ts');

describe('createWorkers + runWorkers', () => {
  let t: TestTemporal;
  let connection: NativeConnection;
  let clientConnection: Connection;
  let client: Client;
  let workers: Worker[];
  let running: Promise<void>;
  const stop = new AbortController();

  beforeAll(async () => {
    t = await startTestTemporal();
    connection = await NativeConnection.connect({ address: t.address });
    clientConnection = await Connection.connect({ address: t.address });
    client = new Client({ connection: clientConnection, namespace: t.namespace });
    const echo = createEchoActivities();
    workers = await createWorkers({
      connection,
      namespace: t.namespace,
      queues: ['control', 'cpu', 'train'],
      activities: { control: echo, cpu: echo, train: echo },
      workflowBundle: await bundleWorkflows(ECHO_WORKFLOWS),
      slots: { control: 5, cpu: 2, train: 1 },
      identity: 'workers-test',
    });
    running = runWorkers(workers, stop.signal);
  });

  afterAll(async () => {
    stop.abort();
    await running;
    await clientConnection?.close();
    await connection?.close();
    await t?.stop();
  });

  it('creates one worker per queue role', () => {
    expect(workers.map((w) => w.options.taskQueue)).toEqual([TASK_QUEUES.control, TASK_QUEUES.cpu, TASK_QUEUES.train]);
    // The SDK compiles maxConcurrentActivityTaskExecutions into a fixed-size slot supplier.
    const slots = workers.map((w) => (w.options.tuner as { activityTaskSlotSupplier?: { numSlots?: number } }).activityTaskSlotSupplier?.numSlots);
    expect(slots).toEqual([5, 2, 1]);
  });

  it('runs a workflow on the control queue and its activity on the train queue', async () => {
    const result = await client.workflow.execute('echoWorkflow', {
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowId: 'echo-1',
      args: ['hello'],
    });
    expect(result).toEqual({ control: `${TASK_QUEUES.control}:hello`, train: `${TASK_QUEUES.train}:hello` });
  });

  it('writes JSON logs that keep the activity context', async () => {
    // With Core log forwarding the runtime logger buffers ~100 ms to order messages: wait for it.
    const echoLog = await vi.waitFor(() => {
      const found = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.msg === 'echo' && e.taskQueue === TASK_QUEUES.train);
      if (!found) throw new Error('echo activity log not written yet');
      return found;
    });
    expect(echoLog).toMatchObject({
      level: 30,
      message: 'hello',
      workflowId: 'echo-1',
      activityType: 'echo',
      activityId: expect.any(String),
      workflowType: 'echoWorkflow',
    });
  });

  it('serves Temporal metrics on the Prometheus endpoint', async () => {
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toMatch(/^temporal_\w+/m);
    expect(body).toContain(`task_queue="${TASK_QUEUES.train}"`);
  });

  it('shuts every worker down on abort', async () => {
    stop.abort();
    await running;
    expect(workers.map((w) => w.getState())).toEqual(['STOPPED', 'STOPPED', 'STOPPED']);
  });
});
