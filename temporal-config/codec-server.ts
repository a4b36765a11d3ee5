import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Config, PayloadEncryption } from '../config/index.js';
import { AesGcmPayloadCodec } from './payload-codec.js';

/**
 * Temporal's remote codec protocol (what the Web UI's "codec endpoint" and
 * `temporal --codec-endpoint` call): `POST <endpoint>/encode` and `POST <endpoint>/decode` with a
 * JSON body `{"payloads": [{"metadata": {"k": "<base64>"}, "data": "<base64>"}]}`, answered in
 * the same shape. The Web UI calls it from the browser, so the server answers CORS preflights for
 * the configured origins only; with a token, every call needs `Authorization: Bearer <token>`.
 */
export interface CodecServerOptions {
  codec: PayloadCodec;
  /** host:port; port 0 picks a free one. */
  bind: string;
  /** Exact origins allowed to call from a browser (e.g. http://127.0.0.1:8233). */
  corsOrigins: readonly string[];
  token?: string;
  /** Largest request body, bytes (default 8 MiB: far above any history page the UI sends). */
  maxBodyBytes?: number;
  log?(msg: string, meta?: object): void;
}

export interface CodecServer {
  /** Base URL, e.g. http://127.0.0.1:8888 (give it to the UI and the CLI as is). */
  url: string;
  close(): Promise<void>;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function fromJson(p: JsonPayload, i: number): Payload {
  if (typeof p !== 'object' || p === null) throw new HttpError(400, `payloads[${i}]: expected an object`);
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) {
    if (typeof v !== 'string') throw new HttpError(400, `payloads[${i}].metadata.${k}: expected a base64 string`);
    metadata[k] = new Uint8Array(Buffer.from(v, 'base64'));
  }
  if (p.data !== undefined && typeof p.data !== 'string') throw new HttpError(400, `payloads[${i}].data: expected a base64 string`);
  return { metadata, data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')) };
}

function toJson(p: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}

async function readBody(req: IncomingMessage, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new HttpError(413, `request body over ${max} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

export async function startCodecServer(opts: CodecServerOptions): Promise<CodecServer> {
  const max = opts.maxBodyBytes ?? 8 * 1024 * 1024;
  const origins = new Set(opts.corsOrigins);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = req.headers.origin;
    if (origin !== undefined && origins.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(origin !== undefined && origins.has(origin) ? 204 : 403).end();
      return;
    }
    const route = (req.url ?? '').split('?')[0].replace(/\/+$/, '');
    const op = route.endsWith('/encode') ? 'encode' : route.endsWith('/decode') ? 'decode' : undefined;
    if (op === undefined) throw new HttpError(404, `no such endpoint ${JSON.stringify(route)}: POST /encode or /decode`);
    if (req.method !== 'POST') throw new HttpError(405, `${req.method} ${route}: use POST`);
    if (opts.token !== undefined && !tokenMatches(req.headers.authorization, opts.token))
      throw new HttpError(401, 'missing or wrong Authorization: Bearer token');
    let body: { payloads?: JsonPayload[] };
    try {
      body = JSON.parse(await readBody(req, max)) as { payloads?: JsonPayload[] };
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(400, `the body is not JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(body?.payloads)) throw new HttpError(400, 'payloads: expected an array');
    const payloads = body.payloads.map(fromJson);
    let out: Payload[];
    try {
      out = op === 'encode' ? await opts.codec.encode(payloads) : await opts.codec.decode(payloads);
    } catch (err) {
      throw new HttpError(422, (err as Error).message);
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ payloads: out.map(toJson) }));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof Error ? err.message : String(err);
      opts.log?.('codec server request refused', { status, message, path: req.url });
      if (!res.headersSent) res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: message }));
    });
  });
  const colon = opts.bind.lastIndexOf(':');
  const host = opts.bind.slice(0, colon);
  const port = Number(opts.bind.slice(colon + 1));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The codec server of `config` (PAYLOAD_KEYS, CODEC_SERVER_*): what `npm run codec-server` and `npm start` run. */
export async function startConfiguredCodecServer(
  config: Pick<Config, 'codecServer'> & { payloadEncryption: PayloadEncryption },
  log?: CodecServerOptions['log'],
): Promise<CodecServer> {
  return startCodecServer({
    codec: new AesGcmPayloadCodec(config.payloadEncryption),
    bind: config.codecServer.bind,
    corsOrigins: config.codecServer.corsOrigins,
    token: config.codecServer.token,
    log,
  });
}
