import * as tf from '@tensorflow/tfjs-core';
import type { TfjsBackendChoice } from '../../config/index.js';
import { registerDilatedConvGradient } from './gradients/conv2d-dilated.js';
import { registerWasmTrainingKernels } from './kernels/index.js';

/**
 * Start-up selection of the tfjs backend (DESIGN "ML engine"): tensorflow-gpu -> tensorflow ->
 * wasm -> cpu, or exactly the one asked for.
 *
 * Facts this relies on (reference/environment-notes.md):
 * - The native packages are optional dependencies that may be absent, so they are imported
 *   dynamically and a failed import just moves on to the next candidate.
 * - `tf.setBackend` can resolve `false` or silently fall back to another backend, so the result
 *   is always checked with `tf.getBackend()`.
 * - Importing @tensorflow/tfjs-backend-wasm installs process-wide `uncaughtException` and
 *   `unhandledRejection` handlers (Emscripten's) that rethrow: once the wasm backend is loaded,
 *   any stray rejection anywhere in the process terminates it. Workers must not leave promises
 *   unhandled. The wasm module is therefore imported only when wasm is actually tried.
 * - In Node the wasm binaries load from the package's own dist folder (next to
 *   tf-backend-wasm.node.js): no `setWasmPaths` needed. Multithreading is unavailable in Node;
 *   the SIMD binary is used.
 * - The stock wasm backend lacks Conv2DBackpropFilter (tfjs issue 8474), which every Conv1D
 *   weight gradient needs; our kernel is registered when wasm is chosen.
 * - tfjs' stock Conv2D gradient rejects dilation > 1; ours (gradients/conv2d-dilated.ts) is
 *   registered for every backend.
 */

export interface BackendAttempt {
  backend: TfjsBackendChoice;
  ok: boolean;
  error?: string;
}

export interface BackendInfo {
  /** tf.getBackend() after selection: 'tensorflow', 'wasm' or 'cpu'. */
  name: string;
  tried: BackendAttempt[];
}

const CHAIN: readonly TfjsBackendChoice[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** The tfjs backend name each choice registers (both native packages register 'tensorflow'). */
const TFJS_NAME: Record<TfjsBackendChoice, string> = {
  'tensorflow-gpu': 'tensorflow',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

let cached: Promise<BackendInfo> | undefined;
let cachedPreference: TfjsBackendChoice | undefined;

/**
 * Selects and initialises the backend once per process. A second call returns the first call's
 * result; asking afterwards for a backend other than the active one rejects, because tfjs state
 * (variables, models) lives in one backend.
 */
export function initBackend(preference?: TfjsBackendChoice): Promise<BackendInfo> {
  if (cached) {
    if (preference === undefined) return cached;
    const first = cachedPreference;
    return cached.then((info) => {
      if (info.name !== TFJS_NAME[preference]) {
        throw new Error(`initBackend: backend already initialised as '${info.name}' (preference ${first ?? 'auto'}), cannot switch to '${preference}'`);
      }
      return info;
    });
  }
  cachedPreference = preference;
  cached = select(preference).catch((e: unknown) => {
    // Let a later call retry (e.g. with another preference) after a hard failure.
    cached = undefined;
    cachedPreference = undefined;
    throw e;
  });
  return cached;
}

/** Test hook: forget the cached selection (does not unload modules). */
export function resetBackendSelectionForTests(): void {
  cached = undefined;
  cachedPreference = undefined;
}

async function select(preference: TfjsBackendChoice | undefined): Promise<BackendInfo> {
  tf.enableProdMode();
  // Gradients are process-wide, not per backend: dilated convs become trainable everywhere.
  registerDilatedConvGradient();
  const candidates = preference ? [preference] : CHAIN;
  const tried: BackendAttempt[] = [];
  for (const backend of candidates) {
    try {
      await activate(backend);
      tried.push({ backend, ok: true });
      return { name: tf.getBackend(), tried };
    } catch (e) {
      tried.push({ backend, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  }
  const detail = tried.map((t) => `${t.backend}: ${t.error ?? 'ok'}`).join('; ');
  throw new Error(
    preference
      ? `initBackend: TFJS backend '${preference}' was requested but cannot be used (${detail})`
      : `initBackend: no tfjs backend could be initialised (${detail})`,
  );
}

async function activate(choice: TfjsBackendChoice): Promise<void> {
  await loadBackendModule(choice);
  const name = TFJS_NAME[choice];
  if (tf.findBackendFactory(name) == null) {
    throw new Error(`module loaded but backend '${name}' is not registered (duplicate @tensorflow/tfjs-core instance?)`);
  }
  if (choice === 'wasm') registerWasmTrainingKernels();
  const ok = await tf.setBackend(name);
  const active = tf.getBackend();
  if (!ok || active !== name) {
    throw new Error(`tf.setBackend('${name}') returned ${ok}; active backend is '${active}'`);
  }
  await tf.ready();
}

async function loadBackendModule(choice: TfjsBackendChoice): Promise<void> {
  switch (choice) {
    case 'tensorflow-gpu':
      await importOptional('@tensorflow/tfjs-node-gpu');
      return;
    case 'tensorflow':
      await importOptional('@tensorflow/tfjs-node');
      return;
    case 'wasm':
      await import('@tensorflow/tfjs-backend-wasm');
      return;
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return;
  }
}

/**
 * Imports an optional dependency by a name TypeScript cannot resolve statically (the package
 * may not be installed, so it has no types here).
 */
async function importOptional(specifier: string): Promise<unknown> {
  try {
    return await import(specifier);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new Error(`cannot load ${specifier} (optional dependency; not installed or its native library failed to load): ${message}`);
  }
}
