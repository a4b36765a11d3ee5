import { z } from 'zod';

/**
 * Retention (the rest of the seed's P0-3): rows past their kind's retention are deleted, then
 * every artifact no remaining row refers to, by mark → grace → sweep so a writer that has just
 * stored bytes and is about to insert the row referring to them is never raced.
 */
export const RETENTION_KINDS = ['datasets', 'experiments', 'campaigns', 'xai', 'evaluations', 'notifications'] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];

/** Days a finished row of each kind is kept (counted from its completion, else its creation). */
export const DEFAULT_RETENTION_DAYS: Readonly<Record<RetentionKind, number>> = {
  datasets: 180,
  experiments: 90,
  campaigns: 365,
  xai: 90,
  evaluations: 90,
  notifications: 30,
};

const days = z.number().int().min(1).max(36_500);

export const RetentionInputSchema = z
  .object({
    dryRun: z.boolean().default(false),
    /** Per kind; a kind left out keeps its default. */
    days: z
      .object(Object.fromEntries(RETENTION_KINDS.map((k) => [k, days.default(DEFAULT_RETENTION_DAYS[k])])) as Record<RetentionKind, z.ZodDefault<typeof days>>)
      .strict()
      .default({ ...DEFAULT_RETENTION_DAYS }),
    /** An unreferenced artifact is deleted only once marked this long ago and its bytes are older too. */
    artifactGraceHours: z
      .number()
      .min(0)
      .max(24 * 365)
      .default(24),
    /**
     * The moment the run judges ages against (ISO 8601). Default: the workflow's start (a
     * scheduled run's scheduled time); a test or a back-dated check may give it.
     */
    now: z.string().datetime({ offset: true }).optional(),
  })
  .strict();

export type RetentionInput = z.input<typeof RetentionInputSchema>;
export type RetentionConfig = z.output<typeof RetentionInputSchema>;

/** One kind's outcome: how many rows went (or would go), and the first ids. */
export interface RetentionRowOutcome {
  cutoff: string;
  deleted: number;
  ids: string[];
}

export interface RetentionRowsReport {
  dryRun: boolean;
  rows: Record<RetentionKind, RetentionRowOutcome>;
  /** Experiments past their retention kept because a campaign still names them as its best. */
  keptAsCampaignBest: string[];
  /** Rows removed with their parents (epochs, signals, trials, explanations, predictions, models). */
  dependents: Record<string, number>;
}

export interface RetentionSweepReport {
  dryRun: boolean;
  scanned: number;
  referenced: number;
  /** Unreferenced artifacts marked by this run (the grace period starts now). */
  newlyMarked: number;
  /** Marked before but referenced again (a new row refers to them): unmarked, kept. */
  unmarked: number;
  /** Marked, still unreferenced, inside the grace period: kept for a later run. */
  waiting: number;
  deleted: number;
  deletedBytes: number;
}

export interface RetentionResult {
  status: 'COMPLETED';
  dryRun: boolean;
  now: string;
  rows: RetentionRowsReport;
  artifacts: RetentionSweepReport;
}

/** Id of the Temporal Schedule that runs retention; a scheduled run's workflow id starts with it. */
export const RETENTION_SCHEDULE_ID = 'faultline-retention';
