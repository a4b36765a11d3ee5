/** Trained (or derived) models: one row per model artifact the dashboard can list and load. */
import { eq } from 'drizzle-orm';
import { models, type ModelRow, type NewModel } from '../schema.js';
import type { Database } from '../types.js';
import { excluded } from './util.js';

export type { ModelRow } from '../schema.js';

export type ModelInput = Omit<NewModel, 'createdAt'>;

/** Insert or refresh the model keyed by id (the experiment id, or a content-based id). */
export async function upsertModel(db: Database, input: ModelInput): Promise<ModelRow> {
  const [row] = await db
    .insert(models)
    .values(input)
    .onConflictDoUpdate({
      target: models.id,
      set: {
        experimentId: excluded(models.experimentId),
        artifactUri: excluded(models.artifactUri),
        backend: excluded(models.backend),
        parameterCount: excluded(models.parameterCount),
        inputLength: excluded(models.inputLength),
        classes: excluded(models.classes),
      },
    })
    .returning();
  return row;
}

export async function getModel(db: Database, id: string): Promise<ModelRow | undefined> {
  const [row] = await db.select().from(models).where(eq(models.id, id));
  return row;
}
