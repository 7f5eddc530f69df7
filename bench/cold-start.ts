// Cold start of `aether run` to the first model request, on an existing $AETHER_HOME:
// from spawning the process to the fake provider server receiving the request.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeLlmServer } from '@aether/core/testing';
import { type Summary, summarize } from './stats.ts';

const bin = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'aether.js');

function runOnce(
  env: Record<string, string>,
  cwd: string,
  firstRequest: () => Promise<number>,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [bin, 'run', 'hello', '--agent', 'lead', '--json'], {
      env,
      cwd,
      stdio: 'ignore',
    });
    let firstAt: number | undefined;
    firstRequest().then((at) => {
      firstAt = at;
    }, reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`aether run exited ${code}`));
      else if (firstAt === undefined) reject(new Error('no model request was seen'));
      else resolve(firstAt - started);
    });
  });
}

/** Median and p99 of the time to the first model request, in ms, over `trials` runs. */
export async function coldStart(trials: number): Promise<Summary> {
  const server = await startFakeLlmServer();
  const dir = await mkdtemp(join(tmpdir(), 'aether-cold-'));
  let waiter: ((at: number) => void) | undefined;
  server.setDefaultReply((request) => {
    waiter?.(performance.now());
    waiter = undefined;
    void request;
    return { text: 'hi' };
  });
  const env = {
    PATH: process.env['PATH'] ?? '',
    HOME: dir,
    AETHER_HOME: join(dir, '.aether'),
    OPENAI_API_KEY: 'bench',
    OPENAI_BASE_URL: server.baseURL,
  };
  const firstRequest = () =>
    new Promise<number>((resolve) => {
      waiter = resolve;
    });
  try {
    await runOnce(env, dir, firstRequest);
    const times: number[] = [];
    for (let index = 0; index < trials; index++) times.push(await runOnce(env, dir, firstRequest));
    return summarize(times);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}
