/** Small helpers for the benchmarks: child processes, percentiles, a paced load loop. */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarise(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: s.at(-1) ?? Number.NaN,
  };
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * A port nothing listens on right now, chosen by the OS. A fixed random range collided with a
 * socket left from an earlier part of the run (EADDRINUSE) now and then.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts a Node/tsx child and resolves when its stdout matches `ready`. `logFile`, when given, gets
 * a copy of everything the child prints (BENCH_SERVER_LOG, e.g. with BENCH_NODE_ARGS=--trace-gc).
 */
export function startChild(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  { timeoutMs = 180_000, logFile }: { timeoutMs?: number; logFile?: string } = {},
) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const started = new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`child ${args.join(' ')} did not start:\n${output}`)),
      timeoutMs,
    );
    const onData = (d: Buffer) => {
      if (logFile) appendFileSync(logFile, d);
      output += d;
      const m = output.match(ready);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`child exited ${code}:\n${output}`)));
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
    });
  return { child, started, stop };
}

/** Calls `fire` at `ratePerSecond` for `seconds`, in 10 ms ticks; returns how many were fired. */
export async function paced(ratePerSecond: number, seconds: number, fire: () => void): Promise<number> {
  const tickMs = 10;
  const start = performance.now();
  let fired = 0;
  const total = Math.round(ratePerSecond * seconds);
  while (fired < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * ratePerSecond) + 1);
    while (fired < due) {
      fire();
      fired++;
    }
    await new Promise((r) => setTimeout(r, tickMs));
  }
  return fired;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A socket.io-client socket on the websocket transport, without reconnection, once connected. */
export async function connectSocketIo(
  url: string,
  opts: Partial<ManagerOptions & SocketOptions> = {},
): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...opts });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

interface JoinReply {
  ok: boolean;
  seq?: number;
  error?: string;
  retryAfterMs?: number;
}

/**
 * Joins a board as the web client does: a join refused as OVERLOADED (the server admits joins at a
 * bounded rate) is sent again after its retry hint.
 */
export async function joinBoard(
  client: { emitWithAck(event: 'board:join', payload: unknown): Promise<unknown> },
  payload: { boardId: string; sinceSeq?: number },
): Promise<JoinReply & { seq: number }> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const reply = (await client.emitWithAck('board:join', payload)) as JoinReply;
    if (reply.ok) return reply as JoinReply & { seq: number };
    if (reply.error !== 'OVERLOADED') throw new Error(`join failed: ${JSON.stringify(reply)}`);
    await sleep(reply.retryAfterMs ?? 100);
  }
  throw new Error('join refused as OVERLOADED 100 times');
}

/** user + system CPU of one process (all its threads) so far, ms; 0 when it is gone. */
function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
  } catch {
    return 0;
  }
}

/** pid → [parent pid, command name] of every process. */
function processes(): Map<number, [number, string]> {
  const all = new Map<number, [number, string]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      all.set(Number(entry), [Number(stat.split(') ')[1]!.split(' ')[1]), name]);
    } catch {
      /* exited meanwhile */
    }
  }
  return all;
}

/**
 * Where the machine's CPU goes (Linux): the measured server process, the bench's embedded PostgreSQL,
 * the bench (this process with its worker threads, and its other children: generators, the measuring
 * mover, an idle server), and everything else on the machine (other users' work). Ms so far; take two
 * readings and subtract.
 */
export function cpuByRole(serverPid: number) {
  const all = processes();
  const ours = (pid: number) => {
    for (let p = all.get(pid)?.[0]; p !== undefined && p > 1; p = all.get(p)?.[0])
      if (p === process.pid) return true;
    return false;
  };
  let server = 0;
  let postgres = 0;
  let bench = processCpuMs(process.pid);
  for (const [pid, [, name]] of all) {
    if (pid === serverPid) server = processCpuMs(pid);
    else if (!ours(pid)) continue;
    else if (name === 'postgres') postgres += processCpuMs(pid);
    else bench += processCpuMs(pid);
  }
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal: busy is all but idle and iowait
  const machine = (ticks.reduce((a, b) => a + b, 0) - ticks[3]! - ticks[4]!) * 10;
  return { server, postgres, bench, machine };
}

export type CpuReading = ReturnType<typeof cpuByRole>;

/** The CPU each role took between two readings, as a share of one core over `ms`. */
export function cpuShares(before: CpuReading, after: CpuReading, ms: number) {
  const core = (v: number) => round(v / ms, 2);
  const server = after.server - before.server;
  const postgres = after.postgres - before.postgres;
  const bench = after.bench - before.bench;
  const machine = after.machine - before.machine;
  return {
    server: core(server),
    postgres: core(postgres),
    bench: core(bench),
    others: core(Math.max(0, machine - server - postgres - bench)),
  };
}

/**
 * A bench helper in a process of its own: `moduleUrl` run again as a child, told what to do by the
 * JSON in its `envName` variable, spoken to over IPC. The child says `{ ready: true }` (or
 * `{ error }`) once set up, then answers each message it is asked with one message.
 */
export async function forkHelper(moduleUrl: string, envName: string, setup: unknown) {
  const child: ChildProcess = fork(new URL(moduleUrl).pathname, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, [envName]: JSON.stringify(setup) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      child.once('message', (m) => resolve(m as T));
      child.once('exit', (code) => reject(new Error(`${envName} child exited ${code}`)));
    });
  const ready = await next<{ ready?: boolean; error?: string }>();
  if (!ready.ready) throw new Error(`${envName} child: ${ready.error}`);
  return {
    /** sends `message`; its answer */
    ask<T>(message: unknown): Promise<T> {
      const answer = next<T>();
      child.send(message as object);
      return answer;
    },
    /** sends `message`, expecting no answer of its own */
    tell(message: unknown) {
      child.send(message as object);
    },
    /** tells the child to close and waits for it to exit */
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ close: true });
      await exited;
    },
  };
}
