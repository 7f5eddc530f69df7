import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeLlmReply, FakeLlmRequest } from '@aether/core/testing';

/** The `aether` entry point, run as a user would run it. */
export const AETHER_BIN = join(import.meta.dirname, '..', 'bin', 'aether.js');

/** What a finished `aether` process left behind. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running `aether` process. */
export interface CliProcess {
  child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  done: Promise<CliResult>;
}

/**
 * Starts `aether <args>` with exactly `env` (plus PATH and HOME), so the developer's own
 * keys or DATABASE_URL never leak into a test.
 */
export function startCli(
  args: readonly string[],
  options: { env: Record<string, string>; cwd: string },
): CliProcess {
  const child = spawn(process.execPath, [AETHER_BIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'] ?? '', HOME: options.cwd, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, stdout: () => stdout, done };
}

/** Runs `aether <args>` to completion. */
export function runCli(
  args: readonly string[],
  options: { env: Record<string, string>; cwd: string },
): Promise<CliResult> {
  return startCli(args, options).done;
}

/** A scratch directory with its own `AETHER_HOME`. */
export interface Scratch {
  dir: string;
  home: string;
  remove(): Promise<void>;
}

/** Makes a scratch directory for one test. */
export async function makeScratch(): Promise<Scratch> {
  const dir = await mkdtemp(join(tmpdir(), 'aether-cli-'));
  return { dir, home: join(dir, '.aether'), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Parses NDJSON output. */
export function parseLines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
}

/** The structured step a request is for (the `name` of its JSON response format), if any. */
export function responseFormatName(request: FakeLlmRequest): string | undefined {
  const body = request.body as
    | { response_format?: { json_schema?: { name?: string }; type?: string } }
    | undefined;
  const format = body?.response_format;
  if (format === undefined) return undefined;
  return format.json_schema?.name ?? format.type;
}

/**
 * Answers a team run over the OpenAI wire format: a three-item plan (research, coding,
 * writing — three different specialists of the starter team), passing verdicts, a
 * synthesis, and a short result for every work step.
 */
export function teamResponder(request: FakeLlmRequest): FakeLlmReply {
  switch (responseFormatName(request)) {
    case 'plan':
      return {
        text: JSON.stringify({
          items: [
            {
              id: 'item-1',
              title: 'Research both databases',
              capability: 'research',
              acceptance: 'sources cited',
            },
            { id: 'item-2', title: 'Write a migration script', capability: 'coding', acceptance: 'a script' },
            {
              id: 'item-3',
              title: 'Write the recommendation',
              capability: 'writing',
              acceptance: 'a clear recommendation',
              dependsOn: ['item-1', 'item-2'],
            },
          ],
        }),
      };
    case 'verdict':
      return { text: JSON.stringify({ passed: true, reason: 'meets the acceptance evidence' }) };
    case 'synthesis':
      return {
        text: JSON.stringify({
          answer: 'SQLite to start, PostgreSQL to grow.',
          agreements: ['both are reliable'],
          contradictions: [],
          unique: [],
        }),
      };
    default:
      return { text: `work done for: ${request.lastUserText.slice(0, 60)}` };
  }
}
