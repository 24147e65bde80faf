/**
 * server/main.ts in its own process, as `npm start` runs it: for the tests that kill an instance,
 * restart it, or check how it starts and stops.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { eventually } from './harness.ts';

export interface ServerProcess {
  child: ChildProcess;
  /** the exit code; null when killed by a signal */
  exited: Promise<number | null>;
  /** everything it printed so far */
  output(): string;
}

export function spawnServer(env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      // The test PostgreSQL serves two test files at once, and each instance keeps its pool open.
      DATABASE_POOL_SIZE: '8',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** Waits until the server answers /readyz; if it does not, fails with what it printed. */
export async function untilReady(server: ServerProcess, baseUrl: string, timeoutMs = 60_000): Promise<void> {
  try {
    await eventually(async () => (await fetch(`${baseUrl}/readyz`)).status === 200, timeoutMs);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- the server printed ---\n${server.output()}`);
  }
}
