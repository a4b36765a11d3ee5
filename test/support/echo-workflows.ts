// A throwaway workflow for worker tests: proves that workflows run on the control queue and that
// an activity routed to the train queue is executed by the train worker.
import { proxyActivities } from '@temporalio/workflow';
import { TASK_QUEUES } from '../../contracts/queues.js';
import type { EchoActivities } from './echo-activities.js';

const control = proxyActivities<EchoActivities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 1 } });
const train = proxyActivities<EchoActivities>({
  taskQueue: TASK_QUEUES.train,
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 1 },
});

export async function echoWorkflow(message: string): Promise<{ control: string; train: string }> {
  return { control: await control.echo(message), train: await train.echo(message) };
}
