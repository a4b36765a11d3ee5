import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { sandboxEnv } from './env.js';
import { entryPoint, isProgramName, PROJECT_ROOT, type ProgramName } from './programs.js';
import { refuse } from './refuse.js';

/** Every argument a sandboxed program receives: the same kind of text the input checks allow, plus `=`, `,` and `@` for options. */
const ARG_CHARS = /^[A-Za-z0-9 _.,:|=@/*+-]*$/;
const MAX_ARG_CHARS = 4_096;

export interface SandboxCommand {
  program: ProgramName;
  args: readonly string[];
}

export interface SandboxOptions {
  /** Kill the whole process group after this long (the run's own start-to-close limit). */
  timeoutMs: number;
  /** Bytes of stdout and of stderr kept (the head); the rest is counted and dropped. */
  maxOutputBytes: number;
  /** Cancels the run: the whole process group is killed. */
  signal?: AbortSignal;
  /** Each complete stdout line as it arrives (progress parsing). */
  onStdoutLine?: (line: string) => void;
  /** Called every `heartbeatMs` while the process runs. */
  onTick?: () => void;
  heartbeatMs?: number;
  /** Extra environment (our own settings, never caller input). */
  env?: Record<string, string>;
  root?: string;
  /** How long SIGTERM has before SIGKILL. */
  killGraceMs?: number;
  /** Injected in tests to prove no process starts for refused input. */
  spawn?: (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;
}

export interface SandboxResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  stdoutTruncatedBytes: number;
  stderrTruncatedBytes: number;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
  pid: number;
}

/** Last line of defence: whatever built the command, only an allowed program with plain arguments starts. */
export function checkCommand(cmd: SandboxCommand): void {
  if (!isProgramName(cmd.program)) throw refuse('program', cmd.program, 'is not an allowed program');
  cmd.args.forEach((a, i) => {
    if (typeof a !== 'string' || a.length > MAX_ARG_CHARS || !ARG_CHARS.test(a)) throw refuse(`args.${i}`, a, 'is not a plain argument');
  });
}

class CappedBuffer {
  private chunks: Buffer[] = [];
  private kept = 0;
  dropped = 0;
  constructor(private readonly max: number) {}
  push(b: Buffer): void {
    const room = this.max - this.kept;
    if (room > 0) {
      const part = b.length <= room ? b : b.subarray(0, room);
      this.chunks.push(part);
      this.kept += part.length;
    }
    this.dropped += Math.max(0, b.length - Math.max(0, room));
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Kill a process group; a group already gone is fine. */
export function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Whether any process of the group is still alive. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Run an allowed program: `node <entry point> ...args`, from an argument array (no shell), in the
 * project root, with the allow-listed environment, in a process group of its own so a timeout or
 * a cancellation kills it and every child it started (vitest's forks, a dev server).
 */
export function runSandboxed(cmd: SandboxCommand, opts: SandboxOptions): Promise<SandboxResult> {
  checkCommand(cmd);
  const root = opts.root ?? PROJECT_ROOT;
  const entry = entryPoint(cmd.program, root);
  const spawn = opts.spawn ?? nodeSpawn;
  const started = Date.now();
  const child = spawn(process.execPath, [entry, ...cmd.args], {
    cwd: root,
    env: sandboxEnv(process.env, opts.env),
    shell: false,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) return Promise.reject(new Error(`sandbox: ${cmd.program} did not start`));
  const out = new CappedBuffer(opts.maxOutputBytes);
  const err = new CappedBuffer(opts.maxOutputBytes);
  let partial = '';
  let timedOut = false;
  let cancelled = false;
  const grace = opts.killGraceMs ?? 5_000;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    killGroup(pid, 'SIGTERM');
    killTimer ??= setTimeout(() => killGroup(pid, 'SIGKILL'), grace);
  };
  child.stdout?.on('data', (b: Buffer) => {
    out.push(b);
    if (!opts.onStdoutLine) return;
    const lines = (partial + b.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    // A single line longer than the cap is dropped, not kept growing.
    if (partial.length > opts.maxOutputBytes) partial = '';
    for (const l of lines) opts.onStdoutLine(l);
  });
  child.stderr?.on('data', (b: Buffer) => err.push(b));
  const deadline = setTimeout(() => {
    timedOut = true;
    stop();
  }, opts.timeoutMs);
  const tick = opts.onTick ? setInterval(opts.onTick, opts.heartbeatMs ?? 10_000) : undefined;
  const onAbort = () => {
    cancelled = true;
    stop();
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  return new Promise((resolve, reject) => {
    child.once('error', (e) => {
      clearTimeout(deadline);
      if (tick) clearInterval(tick);
      reject(e);
    });
    child.once('close', (exitCode, signal) => {
      clearTimeout(deadline);
      if (tick) clearInterval(tick);
      opts.signal?.removeEventListener('abort', onAbort);
      if (partial && opts.onStdoutLine) opts.onStdoutLine(partial);
      if (killTimer) clearTimeout(killTimer);
      // The leader is gone; anything it left in its group (a fork that ignored SIGTERM) goes too,
      // and the run ends only once the group is empty: "cancelled" means nothing of it runs.
      void reapGroup(pid, grace).then(() =>
        resolve({
          exitCode,
          signal,
          stdout: out.text(),
          stderr: err.text(),
          stdoutTruncatedBytes: out.dropped,
          stderrTruncatedBytes: err.dropped,
          timedOut,
          cancelled,
          durationMs: Date.now() - started,
          pid,
        }),
      );
    });
  });
}

/** SIGKILL what is left of a group and wait (up to `waitMs`) until none of it is alive. */
async function reapGroup(pid: number, waitMs: number): Promise<void> {
  if (!groupAlive(pid)) return;
  killGroup(pid, 'SIGKILL');
  const deadline = Date.now() + waitMs;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
}
