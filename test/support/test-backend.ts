import type { TfjsBackendChoice } from '../../config/index.js';

/**
 * The tfjs backend the ML unit tests run on: wasm unless TFJS_BACKEND says otherwise (`.ci/run`
 * runs the trainer and XAI tests a second time with TFJS_BACKEND=tensorflow when setup built it).
 */
export const TEST_BACKEND: TfjsBackendChoice = (process.env.TFJS_BACKEND as TfjsBackendChoice | undefined) || 'wasm';

/** The name tf.getBackend() reports for TEST_BACKEND (both native packages register 'tensorflow'). */
export const TEST_BACKEND_NAME = TEST_BACKEND === 'tensorflow-gpu' ? 'tensorflow' : TEST_BACKEND;
