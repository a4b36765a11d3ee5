import { WorkflowNotFoundError, type Client } from '@temporalio/client';

/** One `client.workflow.start` call as the fake saw it. */
export interface StartCall {
  workflowType: string;
  options: { args: unknown[]; workflowId: string; taskQueue: string; typedSearchAttributes: { key: { name: string }; value: unknown }[] } & Record<
    string,
    unknown
  >;
}

/** What executeUpdate answers for an update (its name and arguments). */
export type UpdateAnswer = (name: string, args: unknown[]) => Promise<unknown>;

export interface FakeClientOptions {
  /** What executeUpdate does; default: answers nothing (undefined). */
  update?: UpdateAnswer;
  /** What fetchHistory returns per workflow id; any other id is not found. */
  histories?: Record<string, unknown>;
}

/**
 * A Temporal client that records every call and runs nothing (`calls`: `start <id>`,
 * `describe <id>`, `update <id> <name>`, `history <id>`). No workflow exists before a start:
 * describe throws WorkflowNotFoundError.
 */
export function fakeClient({ update = async () => undefined, histories = {} }: FakeClientOptions = {}) {
  const calls: string[] = [];
  const starts: StartCall[] = [];
  const updates: { workflowId: string; name: string; args: unknown[] }[] = [];
  const workflow = {
    start: async (workflowType: string, options: StartCall['options']) => {
      calls.push(`start ${options.workflowId}`);
      starts.push({ workflowType, options });
      return { firstExecutionRunId: 'run-1' };
    },
    getHandle: (workflowId: string) => ({
      describe: async () => {
        calls.push(`describe ${workflowId}`);
        throw new WorkflowNotFoundError('not found', workflowId, undefined);
      },
      executeUpdate: async (def: { name: string } | string, options: { args: unknown[] }) => {
        const name = typeof def === 'string' ? def : def.name;
        calls.push(`update ${workflowId} ${name}`);
        updates.push({ workflowId, name, args: options.args });
        return update(name, options.args);
      },
      fetchHistory: async () => {
        calls.push(`history ${workflowId}`);
        if (!(workflowId in histories)) throw new WorkflowNotFoundError('not found', workflowId, undefined);
        return histories[workflowId];
      },
    }),
  };
  return { client: { workflow } as unknown as Client, calls, starts, updates };
}
