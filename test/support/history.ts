import type { Client } from '@temporalio/client';

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
