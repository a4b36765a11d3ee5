import { z } from 'zod';

/**
 * The one progress shape every long workflow answers to its `progress` query.
 * `fraction` is always 0..1 (the Celery system mixed 0..1 and 0..100).
 */
export const ProgressSchema = z
  .object({
    phase: z.string(),
    completed: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    fraction: z.number().min(0).max(1),
  })
  .catchall(z.unknown());
export type Progress = z.infer<typeof ProgressSchema>;

/** Build a Progress, clamping fraction into 0..1. */
export function progressOf(phase: string, completed: number, total: number, details: Record<string, unknown> = {}): Progress {
  const fraction = total > 0 ? Math.min(1, Math.max(0, completed / total)) : phase === 'completed' ? 1 : 0;
  return { ...details, phase, completed, total, fraction };
}
