import type { Client } from '@temporalio/client';
import type { Config } from '../config/index.js';
import type { ArtifactStore } from '../artifacts/types.js';
import type { Database } from '../db/connect.js';
import type { Notifier } from '../notifications/notifier.js';
import type { XaiProcessPool } from '../ml/xai/pool.js';

/**
 * What activities need from the outside world, injected (DESIGN: createActivities(deps)), so
 * tests can hand in a real database and a temporary artifact directory.
 */
export interface ActivityDeps {
  config: Config;
  db: Database;
  artifacts: ArtifactStore;
  notifier: Notifier;
  /** Used by long activities to report progress to their own workflow. */
  client: Client;
  /** Child processes that run explanations; created on first use when absent. */
  xaiPool?: XaiProcessPool;
}
