import { activityInfo, log } from '@temporalio/activity';

export interface EchoActivities {
  /** Returns `<taskQueue>:<message>` so a test sees which queue's worker ran it. */
  echo(message: string): Promise<string>;
}

export function createEchoActivities(): EchoActivities {
  return {
    async echo(message) {
      const { taskQueue } = activityInfo();
      log.info('echo', { message });
      return `${taskQueue}:${message}`;
    },
  };
}
