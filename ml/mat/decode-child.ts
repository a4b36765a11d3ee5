/**
 * Child process entry of decode-process.ts: one request, one answer, exit. Anything unexpected
 * is sent back as an error message rather than left to a stack trace on stderr.
 */
import { decodeRecording, type RecordingRequest } from './recording.js';

process.once('message', (raw: unknown) => {
  const reply = (m: unknown) => process.send!(m, () => process.exit(0));
  decodeRecording(raw as RecordingRequest).then(
    (outcome) => reply({ type: 'done', outcome }),
    (e: unknown) => reply({ type: 'error', message: e instanceof Error ? e.message : String(e) }),
  );
});
