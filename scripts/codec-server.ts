/**
 * `npm run codec-server`: the remote codec endpoint for the Web UI and the `temporal` CLI, so a
 * person who holds PAYLOAD_KEYS sees decoded inputs, results and failures of encrypted runs.
 *   Web UI: Settings → Data encoder → http://127.0.0.1:8888 (or start the dev server with
 *           --ui-codec-endpoint; `npm start` does when PAYLOAD_KEYS is set)
 *   CLI:    temporal workflow show -w <id> --codec-endpoint http://127.0.0.1:8888
 */
import { loadConfig } from '../config/index.js';
import { startConfiguredCodecServer } from '../temporal-config/codec-server.js';

const config = loadConfig(process.env);
if (config.payloadEncryption === undefined) {
  console.error('codec-server: PAYLOAD_KEYS is not set; there is nothing to decode (see README, "Private payloads")');
  process.exit(2);
}
const server = await startConfiguredCodecServer({ ...config, payloadEncryption: config.payloadEncryption }, (msg, meta) =>
  console.error(msg, JSON.stringify(meta)),
);
console.log(`codec server on ${server.url} (active key ${config.payloadEncryption.activeKeyId}; CORS: ${config.codecServer.corsOrigins.join(', ')})`);
const stop = () => void server.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
