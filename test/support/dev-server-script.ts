// A launcher that dies without cleaning up: starts a dev server, prints its pid, and waits to be
// killed (the test sends SIGKILL, so no exit handler of ours runs).
import { startTestTemporal } from './temporal.js';

const t = await startTestTemporal();
process.stdout.write(`${JSON.stringify({ pid: t.server.pid, address: t.address })}\n`);
setInterval(() => undefined, 60_000);
