import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';

export type ClosedFailureStatus = 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT';

/**
 * A workflow ended without a result. Carries the failure's own type (e.g. `InvalidInput`,
 * `NotFound`, `TrainingDiverged`) and message, unwrapped from Temporal's failure chain, so a
 * caller can react to the cause instead of parsing "Workflow execution failed".
 */
export class WorkflowRunFailedError extends Error {
  constructor(
    readonly workflowId: string,
    readonly status: ClosedFailureStatus,
    /** ApplicationFailure type of the root cause, when there is one. */
    readonly failureType: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WorkflowRunFailedError';
  }

  static from(workflowId: string, err: WorkflowFailedError): WorkflowRunFailedError {
    const chain = causeChain(err.cause);
    const status: ClosedFailureStatus = chain.some((e) => e instanceof TerminatedFailure)
      ? 'TERMINATED'
      : chain.some((e) => e instanceof CancelledFailure)
        ? 'CANCELLED'
        : chain[0] instanceof TimeoutFailure
          ? 'TIMED_OUT'
          : 'FAILED';
    // The deepest ApplicationFailure is the one thrown by our code; outer links are wrappers
    // such as ActivityFailure or ChildWorkflowFailure.
    const app = [...chain].reverse().find((e): e is ApplicationFailure => e instanceof ApplicationFailure);
    const messages = chain.map((e) => e.message).filter((m, i, all) => m && all.indexOf(m) === i);
    const message = messages.length > 0 ? messages.join(': ') : err.message;
    return new WorkflowRunFailedError(workflowId, status, app?.type ?? undefined, `${workflowId} ${status.toLowerCase()}: ${message}`, { cause: err });
  }
}

function causeChain(first: Error | undefined): Error[] {
  const chain: Error[] = [];
  for (let e: unknown = first; e instanceof Error && chain.length < 20; e = e.cause) chain.push(e);
  return chain;
}

/** The Temporal frontend could not be reached (connection refused, DNS, TLS, deadline). */
export class TemporalUnreachableError extends Error {
  constructor(
    readonly address: string | undefined,
    options?: { cause?: unknown },
  ) {
    const detail = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`cannot reach Temporal${address ? ` at ${address}` : ''}${detail}`, options);
    this.name = 'TemporalUnreachableError';
  }
}

const GRPC_UNAVAILABLE = 14;

/** True for errors that mean "the server is not there", as opposed to "the server said no". */
export function isUnreachableError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    if (e instanceof TemporalUnreachableError) return true;
    const code = (e as { code?: unknown }).code;
    // Deadlines are not counted: a query nobody answers also ends in one, with the server up.
    if (code === GRPC_UNAVAILABLE) return true;
    if (/Failed to connect before the deadline|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH/.test(e.message)) return true;
  }
  return false;
}

/** Nobody answered the `progress` query in time (no worker polling, or the worker is busy). */
export class ProgressUnavailableError extends Error {
  constructor(
    readonly workflowId: string,
    options?: { cause?: unknown },
  ) {
    super(`no progress for ${workflowId}: no worker answered the progress query (is a worker running?)`, options);
    this.name = 'ProgressUnavailableError';
  }
}

/**
 * The workflow refused an update (its validator or handler threw): the campaign keeps running
 * with its old settings. Carries the workflow's own message, e.g. "maxTrials 3 is below the 5
 * trials already started", and the failure type (`InvalidInput` for a validator rejection).
 */
export class UpdateRejectedError extends Error {
  constructor(
    readonly workflowId: string,
    readonly updateName: string,
    readonly failureType: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UpdateRejectedError';
  }

  static from(workflowId: string, updateName: string, err: WorkflowUpdateFailedError): UpdateRejectedError {
    const chain = causeChain(err.cause);
    const app = [...chain].reverse().find((e): e is ApplicationFailure => e instanceof ApplicationFailure);
    const reason = (app ?? chain[chain.length - 1])?.message || err.message;
    return new UpdateRejectedError(workflowId, updateName, app?.type ?? undefined, `${workflowId} rejected ${updateName}: ${reason}`, { cause: err });
  }
}

/** A feature extraction or analysis that ended on the `stop` signal: it completed, but holds no result to read. */
export class RunStoppedError extends Error {
  constructor(
    readonly workflowId: string,
    readonly reason: string | null,
  ) {
    super(
      `${workflowId} was stopped${reason ? ` (${reason})` : ''}: it stored no result (the same request attaches to this stopped run while Temporal keeps it)`,
    );
    this.name = 'RunStoppedError';
  }
}
