import { describe, expect, it } from 'vitest';
import { startDatasetGeneration, startHpoCampaign, startNasCampaign, startTraining, startXaiBatch, type TemporalClientLike } from '../../client/api.js';
import { startMatImport } from '../../client/import.js';
import { InputValidationError } from '../../contracts/index.js';
import { BAD_STARTS, type WorkflowTypeName } from '../support/bad-starts.js';
import { rejectionOf } from '../support/errors.js';
import { fakeClient } from '../support/fake-client.js';

type Start = (client: TemporalClientLike, request: never) => Promise<unknown>;
const START_BY_TYPE: Record<WorkflowTypeName, Start> = {
  generateDatasetWorkflow: startDatasetGeneration as Start,
  trainModelWorkflow: startTraining as Start,
  hpoCampaignWorkflow: startHpoCampaign as Start,
  nasCampaignWorkflow: startNasCampaign as Start,
  explainSignalsWorkflow: startXaiBatch as Start,
  importMatDatasetWorkflow: startMatImport as Start,
};

/**
 * The client runs the same contract checks as the workflow's top (issue 16): every input that
 * used to wedge or mislead a run is refused here, naming the field, before anything is sent.
 */
describe('the TypeScript client refuses the inputs the workflows refuse, before sending', () => {
  for (const c of BAD_STARTS.filter((b) => b.clientChecks)) {
    it(c.name, async () => {
      const { client, calls } = fakeClient();
      const err = await rejectionOf(START_BY_TYPE[c.workflowType](client, c.input as never), InputValidationError);
      expect(err.issues.map((i) => i.path)).toContain(c.field);
      if (c.mentions) expect(err.message).toMatch(c.mentions);
      expect(calls).toEqual([]);
    });
  }
});
