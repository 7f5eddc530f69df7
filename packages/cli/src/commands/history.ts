import { AetherError, type RunRecord, type TenantStore } from '@aether/core';
import { aetherPaths, openStoreContext } from '../context.ts';
import { type CommandIo, printJson } from '../output.ts';
import { TraceRenderer } from '../render/trace-renderer.ts';

/** Events read per page when replaying a long trace. */
const PAGE = 1000;

/** Finds a run by id or by a unique prefix of its id (as `aether runs` shows them). */
export async function findRun(tenant: TenantStore, idOrPrefix: string): Promise<RunRecord> {
  const wanted = idOrPrefix.trim().toLowerCase();
  if (/^[0-9a-f-]{36}$/.test(wanted)) {
    const run = await tenant.runs.get(wanted);
    if (run !== undefined) return run;
  } else if (/^[0-9a-f-]{4,}$/.test(wanted)) {
    const matches = (await tenant.runs.list({ limit: 10_000 })).filter((run) => run.id.startsWith(wanted));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) {
      throw new AetherError(
        'AMBIGUOUS_RUN_ID',
        `"${idOrPrefix}" matches ${matches.length} runs; give more of the id`,
        {
          category: 'user',
        },
      );
    }
  }
  throw new AetherError('RUN_NOT_FOUND', `no run "${idOrPrefix}"`, {
    category: 'user',
    hint: 'list runs with `aether runs`',
  });
}

async function* allEvents(tenant: TenantStore, runId: string) {
  let afterSeq = 0;
  for (;;) {
    const page = await tenant.events.list(runId, { afterSeq, limit: PAGE });
    yield* page;
    if (page.length < PAGE) return;
    afterSeq = page.at(-1)!.seq;
  }
}

/** `aether runs`: past runs, newest first. */
export async function runsCommand(io: CommandIo, options: { json?: boolean; limit?: string }): Promise<void> {
  const limit = options.limit === undefined ? 50 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1) {
    throw new AetherError('INVALID_OPTION', `--limit must be a positive integer, got "${options.limit}"`, {
      category: 'user',
    });
  }
  const context = await openStoreContext(io, aetherPaths(io));
  try {
    const runs = await context.tenant.runs.list({ limit });
    if (options.json) {
      printJson(
        io,
        runs.map((run) => ({ id: run.id, status: run.status, goal: run.goal, createdAt: run.createdAt })),
      );
      return;
    }
    if (runs.length === 0) {
      io.stdout.write('no runs yet — start one with `aether run "<goal>"`\n');
      return;
    }
    for (const run of runs) {
      const goal = run.goal.replace(/\s+/g, ' ');
      io.stdout.write(
        `${run.id}  ${run.status.padEnd(9)}  ${run.createdAt}  ${goal.length > 70 ? `${goal.slice(0, 69)}…` : goal}\n`,
      );
    }
  } finally {
    await context.close();
  }
}

/** `aether replay <id>`: re-prints a run's trace from the database. */
export async function replayCommand(io: CommandIo, id: string): Promise<void> {
  const context = await openStoreContext(io, aetherPaths(io));
  try {
    const run = await findRun(context.tenant, id);
    const renderer = new TraceRenderer(io.stdout);
    for await (const event of allEvents(context.tenant, run.id)) renderer.render(event);
    renderer.close();
  } finally {
    await context.close();
  }
}

/** `aether events <id>`: a run's stored events, as NDJSON with `--json`. */
export async function eventsCommand(io: CommandIo, id: string, options: { json?: boolean }): Promise<void> {
  const context = await openStoreContext(io, aetherPaths(io));
  try {
    const run = await findRun(context.tenant, id);
    for await (const event of allEvents(context.tenant, run.id)) {
      if (options.json) printJson(io, event);
      else io.stdout.write(`${String(event.seq).padStart(5)}  ${event.at}  ${event.type}\n`);
    }
  } finally {
    await context.close();
  }
}
