import { openArtifactStore } from '../../artifacts/open.js';
import { initBackend } from '../tf/index.js';
import type { ChildMessage, ParentMessage } from './messages.js';
import { serializeError } from './messages.js';
import { runTraining } from './trainer.js';

/**
 * Entry point of a training child process (forked by process.ts with `--import tsx`).
 *
 * Training runs here, not in the worker, so the worker's event loop keeps heartbeating and a
 * second core can train another model. The child lives only as long as its parent: if the IPC
 * channel closes (worker exited or was killed) it exits too, so no orphan keeps a core busy.
 */

if (!process.send) {
  process.stderr.write('child-entry.ts must be started with an IPC channel (child_process.fork)\n');
  process.exit(2);
}

const controller = new AbortController();
// SIGTERM = cancel: stop at the next batch boundary and report an AbortError, rather than die
// mid-write. The parent follows up with SIGKILL if that takes too long.
process.on('SIGTERM', () => controller.abort(new Error('received SIGTERM')));
process.on('disconnect', () => process.exit(130));

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send || !process.connected) {
      reject(new Error('IPC channel to the parent is closed'));
      return;
    }
    process.send(message, undefined, {}, (err) => (err ? reject(err) : resolve()));
  });
}

async function main(start: ParentMessage): Promise<number> {
  try {
    const info = await initBackend(start.backend);
    await send({ type: 'backend', name: info.name, version: info.version, tried: info.tried });
    const outcome = await runTraining(start.job, {
      artifacts: openArtifactStore(start.artifacts),
      signal: controller.signal,
      onEpoch: (report) => send({ type: 'epoch', report }),
      log: (msg, meta) => void send({ type: 'log', msg, meta }).catch(() => undefined),
    });
    await send({ type: 'done', outcome });
    return 0;
  } catch (e) {
    await send({ type: 'error', error: serializeError(e) }).catch(() => undefined);
    return 1;
  }
}

process.once('message', (message: ParentMessage) => {
  // Every path ends in process.exit: loading tfjs-backend-wasm installs process-wide handlers
  // that turn a stray rejection into a crash, so nothing here is left unhandled.
  main(message).then(
    (code) => process.exit(code),
    () => process.exit(1),
  );
});
