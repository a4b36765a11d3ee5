import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../contracts/search-attributes.js';
import { DEFAULT_NAMESPACE, DEV_SERVER_DYNAMIC_CONFIG, DEV_SERVER_IP, DEV_SERVER_STARTUP_TIMEOUT_MS, retentionToSeconds } from './settings.js';

/**
 * The one launcher for a local Temporal dev server (`temporal server start-dev`), used by
 * `npm start` (persistent SQLite, fixed ports) and by the tests (in-memory, free ports), so both
 * run the server the same way: loopback only, our search attributes, our namespace and retention.
 */

export interface DevServerOptions {
  cliPath: string;
  /** Frontend gRPC port; 0 or undefined picks a free one. */
  port?: number;
  /** Web UI port; 0 or undefined picks a free one (ignored when ui is false). */
  uiPort?: number;
  /** SQLite file for persistent state; omitted = in-memory (lost when the server stops). */
  dbFile?: string;
  namespace: string;
  /** History retention such as `72h` or `7d`, applied to `namespace` after start. */
  retention: string;
  ui: boolean;
  /** Server stdout/stderr are appended here as well as kept in memory for error messages. */
  logFile?: string;
  /** The Web UI's remote codec endpoint (our codec server), so it shows encrypted payloads decoded. */
  uiCodecEndpoint?: string;
  /** Bounded wait for the frontend (and UI) to answer. */
  startupTimeoutMs?: number;
}

export interface DevServer {
  /** host:port of the frontend, for Connection / NativeConnection. */
  address: string;
  uiUrl?: string;
  namespace: string;
  pid: number;
  /** The exact argv the server was started with (logged by `npm start`, shown in reports). */
  command: string[];
  stop(): Promise<void>;
}

export class DevServerStartError extends Error {
  constructor(
    message: string,
    readonly logTail: string,
  ) {
    super(logTail ? `${message}\n--- dev server log (tail) ---\n${logTail}` : message);
    this.name = 'DevServerStartError';
  }
}

/** Asks the OS for a free loopback port. Tiny race until the server binds it; fine for tests. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, DEV_SERVER_IP, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves to false when something already listens on DEV_SERVER_IP:port. */
export async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(false);
      else reject(err);
    });
    srv.listen(port, DEV_SERVER_IP, () => srv.close(() => resolve(true)));
  });
}

/** Builds the `temporal server start-dev ...` argv (without the binary). Exported for the README/tests. */
export function devServerArgs(o: { port: number; uiPort?: number; dbFile?: string; namespace: string; uiCodecEndpoint?: string }): string[] {
  const args = ['server', 'start-dev', '--ip', DEV_SERVER_IP, '--port', String(o.port)];
  if (o.uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(o.uiPort), '--ui-disable-news-fetch');
  if (o.uiPort !== undefined && o.uiCodecEndpoint) args.push('--ui-codec-endpoint', o.uiCodecEndpoint);
  if (o.dbFile) args.push('--db-filename', o.dbFile);
  // "default" always exists; asking start-dev to create it again is redundant.
  if (o.namespace !== DEFAULT_NAMESPACE) args.push('--namespace', o.namespace);
  for (const [name, type] of SEARCH_ATTRIBUTE_REGISTRATIONS) args.push('--search-attribute', `${name}=${type}`);
  for (const [key, value] of Object.entries(DEV_SERVER_DYNAMIC_CONFIG)) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  // JSON logs at warn: quiet in a terminal, still parseable when something goes wrong.
  args.push('--log-format', 'json', '--log-level', 'warn');
  return args;
}

/** Keeps the last `max` characters of the server's output for error messages. */
class LogTail {
  private text = '';
  constructor(private readonly max = 8_000) {}
  push(chunk: Buffer | string): void {
    this.text = (this.text + chunk.toString()).slice(-this.max);
  }
  lines(n = 30): string {
    return this.text.trimEnd().split('\n').slice(-n).join('\n');
  }
}

/**
 * Starts a dev server. Ports we picked ourselves (no `port` / `uiPort` given) can be taken by
 * another process between our check and the server's bind, and the server also binds ports of
 * its own choosing: on a busy machine (parallel test files) that race is real, so a start that
 * failed only because a port was taken is tried again on fresh ports, up to three times.
 */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const ownPorts = !opts.port && !(opts.ui && opts.uiPort) && !opts.dbFile;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDevServerOnce(opts);
    } catch (err) {
      const busy = err instanceof DevServerStartError && /already in use/.test(err.message);
      if (!busy || !ownPorts || attempt >= 3) throw err;
    }
  }
}

async function startDevServerOnce(opts: DevServerOptions): Promise<DevServer> {
  const deadline = Date.now() + (opts.startupTimeoutMs ?? DEV_SERVER_STARTUP_TIMEOUT_MS);
  const retentionSeconds = retentionToSeconds(opts.retention);
  const port = opts.port ? opts.port : await freePort();
  const uiPort = opts.ui ? (opts.uiPort ? opts.uiPort : await freePort()) : undefined;

  // A server left behind by a launcher that died before the watchdog existed (or while it was
  // being killed) holds our ports and our SQLite file: replace it rather than fail.
  if (opts.dbFile) await replaceStaleServer(pidFileOf(opts.dbFile), [port, uiPort]);

  // Check ports ourselves first: the CLI's own message for a busy port only appears in its log.
  for (const [what, p] of [
    ['frontend', port],
    ['Web UI', uiPort],
  ] as const) {
    if (p !== undefined && !(await isPortFree(p))) {
      throw new DevServerStartError(
        `cannot start the Temporal dev server: ${what} port ${DEV_SERVER_IP}:${p} is already in use ` +
          `(another dev server or \`npm start\` running?). Stop it, or choose another port ` +
          `(TEMPORAL_DEV_PORT / TEMPORAL_UI_PORT), or set TEMPORAL_ADDRESS to use the running server.`,
        '',
      );
    }
  }

  if (opts.dbFile) mkdirSync(path.dirname(opts.dbFile), { recursive: true });
  let logStream: WriteStream | undefined;
  if (opts.logFile) {
    mkdirSync(path.dirname(opts.logFile), { recursive: true });
    logStream = createWriteStream(opts.logFile, { flags: 'a' });
  }

  const args = devServerArgs({ port, uiPort, dbFile: opts.dbFile, namespace: opts.namespace, uiCodecEndpoint: opts.uiCodecEndpoint });
  const tail = new LogTail();
  // detached: the server gets its own process group, so stop() can signal the group and leave
  // nothing behind (and Ctrl-C in a terminal reaches us first, letting workers drain before it dies).
  const child = spawn(opts.cliPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const onOutput = (chunk: Buffer) => {
    tail.push(chunk);
    logStream?.write(chunk);
  };
  child.stdout?.on('data', onOutput);
  child.stderr?.on('data', onOutput);

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((info) => {
    exitInfo = info;
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  let spawnFailure: Error | undefined;
  void spawnError.then((e) => {
    spawnFailure = e;
  });

  // When the parent exits without calling stop() (a crashed test file): an orphaned dev server
  // would keep its ports. 'exit' does not run when the process is SIGKILLed or aborts (a fatal
  // V8/async-hook error), so a watchdog process also ends the server once this process is gone.
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);
  if (child.pid !== undefined) startWatchdog(process.pid, child.pid);
  const pidFile = opts.dbFile ? pidFileOf(opts.dbFile) : undefined;
  if (pidFile && child.pid !== undefined) writeFileSync(pidFile, JSON.stringify({ pid: child.pid, port, uiPort, launcher: process.pid }));

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      process.removeListener('exit', killOnExit);
      if (exitInfo === undefined && child.pid !== undefined) {
        killGroup(child, 'SIGTERM');
        const killed = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
        if (!killed) {
          killGroup(child, 'SIGKILL');
          await exited;
        }
      }
      if (pidFile) rmSync(pidFile, { force: true });
      await new Promise<void>((resolve) => (logStream ? logStream.end(resolve) : resolve()));
    })();
    return stopped;
  };

  const address = `${DEV_SERVER_IP}:${port}`;
  const uiUrl = uiPort === undefined ? undefined : `http://${DEV_SERVER_IP}:${uiPort}`;
  const fail = async (message: string): Promise<never> => {
    await stop();
    throw new DevServerStartError(message, tail.lines());
  };

  try {
    await waitForFrontend(address, opts.namespace, deadline, () => spawnFailure ?? exitInfo);
  } catch (err) {
    const cause = err instanceof Error ? err.message : String(err);
    const busy = /address already in use/i.test(tail.lines(200));
    return fail(
      busy
        ? `cannot start the Temporal dev server: a port it needs on ${DEV_SERVER_IP} is already in use (${cause})`
        : `Temporal dev server at ${address} did not come up: ${cause}`,
    );
  }

  try {
    await applyRetention(address, opts.namespace, retentionSeconds);
  } catch (err) {
    return fail(`could not set retention ${opts.retention} on namespace ${opts.namespace}: ${String(err)}`);
  }

  if (uiUrl) {
    try {
      await waitForHttp(uiUrl, deadline, () => spawnFailure ?? exitInfo);
    } catch (err) {
      return fail(`Temporal Web UI at ${uiUrl} did not answer: ${String(err)}`);
    }
  }

  return { address, uiUrl, namespace: opts.namespace, pid: child.pid ?? -1, command: [opts.cliPath, ...args], stop };
}

/** Where a persistent server's pid is kept, beside its SQLite file. */
export function pidFileOf(dbFile: string): string {
  return `${dbFile}.pid`;
}

/**
 * A tiny detached process that polls every second whether the launcher is still alive and, once
 * it is not, ends the dev server's process group; it exits with the server.
 */
function startWatchdog(launcherPid: number, serverPid: number): void {
  const script = `
    const [launcher, server] = process.argv.slice(1).map(Number);
    const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
    const timer = setInterval(() => {
      if (!alive(server)) { clearInterval(timer); return; }
      if (!alive(launcher)) {
        try { process.kill(-server, 'SIGTERM'); } catch {}
        setTimeout(() => { try { process.kill(-server, 'SIGKILL'); } catch {} process.exit(0); }, 5000);
        clearInterval(timer);
      }
    }, 1000);`;
  const dog = spawn(process.execPath, ['-e', script, String(launcherPid), String(serverPid)], { detached: true, stdio: 'ignore' });
  dog.unref();
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a live process (Linux /proc), or undefined. */
function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

/**
 * If the pid file names a live `temporal server start-dev` whose launcher is gone, stop it and
 * wait until its ports are free. A server whose launcher still runs is left alone (the port check
 * then reports it), and a pid reused by an unrelated process is never signalled.
 */
export async function replaceStaleServer(pidFile: string, ports: readonly (number | undefined)[]): Promise<boolean> {
  let recorded: { pid?: unknown; launcher?: unknown };
  try {
    recorded = JSON.parse(readFileSync(pidFile, 'utf8')) as { pid?: unknown; launcher?: unknown };
  } catch {
    return false;
  }
  const pid = typeof recorded.pid === 'number' ? recorded.pid : undefined;
  const launcher = typeof recorded.launcher === 'number' ? recorded.launcher : undefined;
  if (pid === undefined || !processAlive(pid) || !/\bserver start-dev\b/.test(commandLineOf(pid) ?? '')) {
    rmSync(pidFile, { force: true });
    return false;
  }
  if (launcher !== undefined && launcher !== process.pid && processAlive(launcher)) return false;
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    try {
      process.kill(-pid, signal);
    } catch {
      // Not a group leader: signal the process itself.
      try {
        process.kill(pid, signal);
      } catch {
        // Gone.
      }
    }
    const until = Date.now() + 10_000;
    while (Date.now() < until && processAlive(pid)) await sleep(100);
    if (!processAlive(pid)) break;
  }
  const until = Date.now() + 10_000;
  for (const p of ports) while (p !== undefined && Date.now() < until && !(await isPortFree(p))) await sleep(100);
  rmSync(pidFile, { force: true });
  return true;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

type Exit = { code: number | null; signal: NodeJS.Signals | null } | Error | undefined;

function describeExit(e: Exit): string {
  if (e instanceof Error) return `could not run the CLI: ${e.message}`;
  return `the server process exited (code ${e?.code ?? 'none'}, signal ${e?.signal ?? 'none'})`;
}

/**
 * Polls until the frontend answers DescribeNamespace for our namespace: that proves both the gRPC
 * server and the namespace registration (start-dev creates namespaces asynchronously).
 */
async function waitForFrontend(address: string, namespace: string, deadline: number, exited: () => Exit): Promise<void> {
  await pollUntilReady(
    deadline,
    exited,
    (last) => `no answer within the start-up timeout (last error: ${last})`,
    async () => {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return undefined;
      } finally {
        await connection.close().catch(() => undefined);
      }
    },
  );
}

/**
 * start-dev has no retention flag (namespaces it creates get 24h), so retention is set through
 * UpdateNamespace, the same call `temporal operator namespace update --retention` makes.
 */
async function applyRetention(address: string, namespace: string, seconds: number): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService.updateNamespace({
      namespace,
      config: { workflowExecutionRetentionTtl: msToTs(seconds * 1_000) },
    });
  } finally {
    await connection.close();
  }
}

async function waitForHttp(url: string, deadline: number, exited: () => Exit): Promise<void> {
  await pollUntilReady(
    deadline,
    exited,
    (last) => `no HTTP 200 within the start-up timeout (last: ${last})`,
    async () => {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      return res.ok ? undefined : `HTTP ${res.status}`;
    },
  );
}

/**
 * Every 250 ms, until `deadline`: fail at once if the server process has exited, else run
 * `attempt`, which resolves undefined when ready or a reason it is not (a throw is a reason too).
 * On timeout, `timeoutMessage` says so with the last reason.
 */
async function pollUntilReady(
  deadline: number,
  exited: () => Exit,
  timeoutMessage: (lastReason: string) => string,
  attempt: () => Promise<string | undefined>,
): Promise<void> {
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const e = exited();
    if (e) throw new Error(describeExit(e));
    try {
      const notReady = await attempt();
      if (notReady === undefined) return;
      last = notReady;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(250);
  }
  throw new Error(timeoutMessage(last));
}
