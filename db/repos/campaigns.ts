/**
 * HPO / NAS campaigns and their trials. Basic bookkeeping; the search itself lives in the
 * workflow (workflows/search/), which decides and then records here.
 */
import { and, asc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { RunStatus } from '../../contracts/status.js';
import { campaigns, trials, type CampaignRow, type TrialRow } from '../schema.js';
import { isTerminalRunStatus, runStatusesAllowingTransitionTo, type TransitionOptions } from '../status.js';
import type { Database } from '../types.js';
import { definedOnly, storedRow } from './util.js';

export type { CampaignRow, TrialRow } from '../schema.js';

export interface CampaignInput {
  id: string;
  kind: 'hpo' | 'nas';
  datasetId: string;
  config?: Record<string, unknown>;
  /** Metric optimised, e.g. 'val_accuracy'. */
  objective: string;
  direction: 'maximize' | 'minimize';
  /** Default 'PENDING'. */
  status?: RunStatus;
  workflowId?: string | null;
}

/** Create the campaign or refresh its definition; a terminal campaign is returned untouched unless `opts.reopen`. */
export async function upsertCampaign(db: Database, input: CampaignInput, opts: TransitionOptions = {}): Promise<CampaignRow> {
  const status = input.status ?? 'PENDING';
  const reset = isTerminalRunStatus(status) ? {} : { error: null, completedAt: null };
  const [row] = await db
    .insert(campaigns)
    .values({ ...input, status })
    .onConflictDoUpdate({
      target: campaigns.id,
      set: {
        ...definedOnly({
          kind: input.kind,
          datasetId: input.datasetId,
          config: input.config,
          objective: input.objective,
          direction: input.direction,
          workflowId: input.workflowId,
        }),
        status,
        ...reset,
        updatedAt: sql`now()`,
      },
      setWhere: inArray(campaigns.status, runStatusesAllowingTransitionTo(status, opts)),
    })
    .returning();
  return storedRow(row, () => getCampaign(db, input.id), `campaign ${input.id}`);
}

export interface CampaignStatusUpdate extends TransitionOptions {
  error?: string | null;
  reportUri?: string;
}

/** Move a campaign to `status` if db/status.ts allows it. Returns the stored row, or undefined if none. */
export async function setCampaignStatus(db: Database, id: string, status: RunStatus, update: CampaignStatusUpdate = {}): Promise<CampaignRow | undefined> {
  const error = update.error !== undefined ? update.error : status === 'FAILED' ? undefined : null;
  const [row] = await db
    .update(campaigns)
    .set({
      ...definedOnly({ error, reportUri: update.reportUri }),
      status,
      completedAt: isTerminalRunStatus(status)
        ? sql`CASE WHEN ${campaigns.status} = ${status} AND ${campaigns.completedAt} IS NOT NULL THEN ${campaigns.completedAt} ELSE now() END`
        : null,
      updatedAt: sql`now()`,
    })
    .where(and(eq(campaigns.id, id), inArray(campaigns.status, runStatusesAllowingTransitionTo(status, update))))
    .returning();
  return row ?? getCampaign(db, id);
}

export async function getCampaign(db: Database, id: string): Promise<CampaignRow | undefined> {
  const [row] = await db.select().from(campaigns).where(eq(campaigns.id, id));
  return row;
}

export interface TrialInput {
  campaignId: string;
  number: number;
  experimentId?: string | null;
  params?: Record<string, unknown>;
  /** Omitted: PENDING on insert, unchanged on update. */
  status?: RunStatus;
  value?: number | null;
  rung?: number;
  intermediate?: Record<string, number>;
  metrics?: Record<string, number>;
  error?: string | null;
}

/**
 * Insert the trial or update the fields given (omitted fields keep their stored values). When a
 * status is given, the whole update is skipped if db/status.ts forbids the move (a late RUNNING
 * never touches a COMPLETED trial). Returns the row as stored.
 */
export async function upsertTrial(db: Database, input: TrialInput, opts: TransitionOptions = {}): Promise<TrialRow> {
  const status = input.status;
  const stamps: { startedAt?: SQL; completedAt?: SQL | null } = {};
  if (status === 'RUNNING') stamps.startedAt = sql`coalesce(${trials.startedAt}, now())`;
  if (status && isTerminalRunStatus(status)) stamps.completedAt = sql`coalesce(${trials.completedAt}, now())`;
  else if (status) stamps.completedAt = null;
  const fields = definedOnly({
    experimentId: input.experimentId,
    params: input.params,
    status,
    value: input.value,
    rung: input.rung,
    intermediate: input.intermediate,
    metrics: input.metrics,
    error: input.error,
  });
  const [row] = await db
    .insert(trials)
    .values({
      ...fields,
      campaignId: input.campaignId,
      number: input.number,
      startedAt: status === 'RUNNING' ? sql`now()` : undefined,
      completedAt: status && isTerminalRunStatus(status) ? sql`now()` : undefined,
    })
    .onConflictDoUpdate({
      target: [trials.campaignId, trials.number],
      set: { ...fields, ...stamps },
      setWhere: status ? inArray(trials.status, runStatusesAllowingTransitionTo(status, opts)) : undefined,
    })
    .returning();
  return storedRow(
    row,
    async () => {
      const [existing] = await db
        .select()
        .from(trials)
        .where(and(eq(trials.campaignId, input.campaignId), eq(trials.number, input.number)));
      return existing;
    },
    `trial ${input.campaignId}#${input.number}`,
  );
}

export async function listTrials(db: Database, campaignId: string): Promise<TrialRow[]> {
  return db.select().from(trials).where(eq(trials.campaignId, campaignId)).orderBy(asc(trials.number));
}

export interface CampaignBest {
  trial: number;
  value: number;
  params: Record<string, unknown>;
}

/**
 * Record `best` if it beats the stored best in the campaign's direction (or none is stored).
 * The comparison runs in the UPDATE itself, so concurrent reports cannot lose the true best.
 * Returns true when `best` became the campaign's best.
 */
export async function setCampaignBest(db: Database, campaignId: string, best: CampaignBest): Promise<boolean> {
  const beats = or(
    isNull(campaigns.bestValue),
    and(eq(campaigns.direction, 'maximize'), sql`${best.value} > ${campaigns.bestValue}`),
    and(eq(campaigns.direction, 'minimize'), sql`${best.value} < ${campaigns.bestValue}`),
    // Re-reporting the same trial is a no-op success (idempotent retries).
    and(eq(campaigns.bestTrial, best.trial), sql`${best.value} = ${campaigns.bestValue}`),
  );
  const rows = await db
    .update(campaigns)
    .set({ bestTrial: best.trial, bestValue: best.value, bestParams: best.params, updatedAt: sql`now()` })
    .where(and(eq(campaigns.id, campaignId), beats))
    .returning({ id: campaigns.id });
  return rows.length > 0;
}
