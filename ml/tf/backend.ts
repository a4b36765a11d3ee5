import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type { TfjsBackendChoice } from '../../config/index.js';
import { registerDilatedConvGradient } from './gradients/conv2d-dilated.js';
import { registerWasmTrainingKernels } from './kernels/index.js';

/**
 * Start-up selection of the tfjs backend (DESIGN "ML engine"): tensorflow-gpu -> tensorflow ->
 * wasm -> cpu, or exactly the one asked for.
 *
 * Facts this relies on (reference/environment-notes.md):
 * - The native packages are not npm dependencies (their install script downloads from a host
 *   `npm ci` cannot reach): `npm run setup` builds @tensorflow/tfjs-node into native/
 *   (scripts/setup-native-tf.sh). They are imported dynamically, from node_modules or native/, and
 *   a failed import just moves on to the next candidate.
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
  /** What computes, for the experiment record: e.g. `tfjs-node 4.22.0, TensorFlow 2.18.1` or `tfjs-backend-wasm 4.22.0`. */
  version: string;
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
      const version = await activate(backend);
      // Loading a backend package can load tfjs-core's stock gradients once more (tfjs-node
      // requires @tensorflow/tfjs, and a second module instance re-registers them into the shared
      // global registry): ours goes back on top.
      registerDilatedConvGradient();
      tried.push({ backend, ok: true });
      return { name: tf.getBackend(), version, tried };
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

async function activate(choice: TfjsBackendChoice): Promise<string> {
  const moduleVersion = await loadBackendModule(choice);
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
  return describeVersion(choice, moduleVersion);
}

const PACKAGE_OF: Record<TfjsBackendChoice, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

function describeVersion(choice: TfjsBackendChoice, moduleVersion: string): string {
  const short = `${PACKAGE_OF[choice].replace('@tensorflow/', '')} ${moduleVersion}`;
  if (TFJS_NAME[choice] !== 'tensorflow') return short;
  // The native binding reports the TensorFlow C library it was linked against.
  const backend = tf.backend() as unknown as { binding?: { TF_Version?: unknown } };
  const tfVersion = backend.binding?.TF_Version;
  return typeof tfVersion === 'string' ? `${short}, TensorFlow ${tfVersion}` : short;
}

/** Loads the module that registers the backend; resolves the module's own version. */
async function loadBackendModule(choice: TfjsBackendChoice): Promise<string> {
  switch (choice) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      const mod = (await importNative(PACKAGE_OF[choice])) as { version?: Record<string, string> };
      return mod.version?.['tfjs-node'] ?? tf.version_core;
    }
    case 'wasm':
      return (await import('@tensorflow/tfjs-backend-wasm')).version_wasm;
    case 'cpu':
      return (await import('@tensorflow/tfjs-backend-cpu')).version_cpu;
  }
}

/** Where `npm run setup` builds the native packages (scripts/setup-native-tf.sh). */
const NATIVE_DIR = fileURLToPath(new URL('../../native/', import.meta.url));

/** Where a native package would load from: node_modules (installed by hand) first, then native/. */
function resolveNative(pkg: string): string | undefined {
  for (const base of [import.meta.url, pathToFileURL(`${NATIVE_DIR}package.json`).href]) {
    try {
      return createRequire(base).resolve(pkg);
    } catch {
      // Not there: try the next place.
    }
  }
  return undefined;
}

/** True when `npm run setup` (or a manual install) left a loadable-looking tfjs-node addon. */
export function nativeTfInstalled(pkg = '@tensorflow/tfjs-node'): boolean {
  const main = resolveNative(pkg);
  if (main === undefined) return false;
  const root = main.slice(0, main.lastIndexOf('/dist/'));
  return existsSync(`${root}/lib/napi-v8/tfjs_binding.node`) || existsSync(`${root}/lib/napi-v9/tfjs_binding.node`);
}

async function importNative(pkg: string): Promise<unknown> {
  const main = resolveNative(pkg);
  if (main === undefined) {
    throw new Error(`cannot load ${pkg}: not installed (npm run setup builds it into native/; see its output for why it did not)`);
  }
  try {
    return await import(pathToFileURL(main).href);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new Error(`cannot load ${pkg} from ${main} (its native library failed to load): ${message}`);
  }
}
