import type { BlobStore } from '../contracts/blob-store.ts';
import type { EventListener, RunEvent } from '../contracts/events.ts';
import type { KnowledgeNamespace } from '../contracts/knowledge.ts';
import type { NewKnowledgeChunk } from '../contracts/knowledge-store.ts';
import type { TenantStore } from '../contracts/store.ts';
import { describeError } from '../errors.ts';
import { extractFacts } from './entity-extraction.ts';
import type { TenantKnowledgeBase } from './knowledge-base.ts';
import { distinctTerms } from './text-terms.ts';

/**
 * How much an event type is worth remembering (0–5). Types not listed (new ones added by
 * other parts of the engine) count 2. Runs index events at or above `minPriority`.
 */
export const EVENT_PRIORITY: Readonly<Record<string, number>> = {
  'run.completed': 5,
  'run.failed': 5,
  'run.started': 4,
  'run.cancelled': 4,
  'plan.created': 4,
  'tool.result': 3,
  'agent.thought': 3,
  escalation: 3,
  handoff: 3,
  'tool.denied': 2,
  'tool.requested': 2,
  'tool.approved': 1,
  'step.started': 0,
  'llm.request': 0,
  'llm.usage': 0,
  'llm.fallback': 1,
  'text.delta': 0,
  'text.end': 0,
  'run.resumed': 1,
};

const TERMINAL = new Set(['run.completed', 'run.failed', 'run.cancelled']);
const MAX_EVENT_TEXT = 4_000;

/** Options of {@link createRunMemory}. */
export interface RunMemoryOptions {
  store: TenantStore;
  knowledge: TenantKnowledgeBase;
  /** Where the replay archive (trace JSONL + Markdown transcript) goes; without it the transcript is still indexed. */
  blobs?: BlobStore;
  /** Lowest {@link EVENT_PRIORITY} indexed (3). */
  minPriority?: number;
  /** Called with a one-line description when indexing or archiving fails (it never fails the run). */
  onError?: (message: string) => void;
}

/** What a {@link RunMemory} did. */
export interface RunMemoryReport {
  indexedEvents: number;
  archivedRuns: string[];
  errors: string[];
}

/** Indexes a journal's events as they are stored and archives each run when it ends. */
export interface RunMemory {
  /** Subscribe it to an `EventJournal`. */
  readonly listener: EventListener;
  /** Waits for everything queued (including archives of finished runs) to be written. */
  close(): Promise<RunMemoryReport>;
}

/**
 * Memory of runs. As events are stored: those at or above `minPriority` become chunks of
 * the document `run:<id>` (namespace `messages`; a run's final answer goes to `tasks`), and
 * facts about entities named in results go to entity memory. When a run ends: its trace is
 * written to the blob store as `runs/<id>/trace.jsonl` with a Markdown transcript
 * `runs/<id>/transcript.md`, and the transcript is indexed as `run:<id>/transcript`
 * (namespace `tasks`), so `aether kb search` finds past runs.
 *
 * @example
 * const memory = createRunMemory({ store: tenant, knowledge: kb, blobs });
 * journal.subscribe(memory.listener);
 * // … run …
 * await memory.close();
 */
export function createRunMemory(options: RunMemoryOptions): RunMemory {
  const minPriority = options.minPriority ?? 3;
  const report: RunMemoryReport = { indexedEvents: 0, archivedRuns: [], errors: [] };
  const goals = new Map<string, string>();
  let pending: RunEvent[] = [];
  let chain: Promise<void> = Promise.resolve();
  let scheduled = false;

  const fail = (what: string, error: unknown): void => {
    const message = `${what}: ${describeError(error)}`;
    report.errors.push(message);
    options.onError?.(message);
  };

  const drain = async (): Promise<void> => {
    scheduled = false;
    const events = pending;
    pending = [];
    const byRun = new Map<string, RunEvent[]>();
    for (const event of events) byRun.set(event.runId, [...(byRun.get(event.runId) ?? []), event]);
    for (const [runId, runEvents] of byRun) {
      try {
        await indexEvents(runId, runEvents);
      } catch (error) {
        fail(`indexing events of run ${runId}`, error);
      }
      if (runEvents.some((event) => TERMINAL.has(event.type))) {
        try {
          await archiveRun(runId);
          report.archivedRuns.push(runId);
        } catch (error) {
          fail(`archiving run ${runId}`, error);
        }
        goals.delete(runId);
      }
    }
  };

  const indexEvents = async (runId: string, events: readonly RunEvent[]): Promise<void> => {
    const chunks: Array<NewKnowledgeChunk & { namespace: KnowledgeNamespace }> = [];
    const facts = [];
    for (const event of events) {
      if (event.type === 'run.started') goals.set(runId, event.goal);
      if ((EVENT_PRIORITY[event.type] ?? 2) < minPriority) continue;
      const text = describeEvent(event, goals.get(runId));
      if (text === undefined) continue;
      const namespace: KnowledgeNamespace = event.type === 'run.completed' ? 'tasks' : 'messages';
      chunks.push({
        location: `event ${event.seq} (${event.type})`,
        text,
        embedding: null,
        embeddingModel: null,
        namespace,
      });
      if (event.type === 'run.completed') facts.push(...extractFacts(event.answer, `run:${runId}`, 1));
      if (event.type === 'tool.result' && !event.isError)
        facts.push(...extractFacts(text, `run:${runId}`, 0.7));
    }
    if (chunks.length > 0) {
      const embeddings = await options.knowledge.embedder.embedDocuments(chunks.map((chunk) => chunk.text));
      chunks.forEach((chunk, index) => {
        chunk.embedding = embeddings[index] ?? null;
        chunk.embeddingModel = chunk.embedding === null ? null : options.knowledge.embedder.id;
      });
      const bytes = chunks.reduce((sum, chunk) => sum + Buffer.byteLength(chunk.text), 0);
      await options.store.knowledge.appendChunks(
        {
          source: `run:${runId}`,
          namespace: 'messages',
          contentHash: 'growing',
          mediaType: 'application/x-aether-events',
          sizeBytes: bytes,
          metadata: { runId },
        },
        chunks,
        { termsOf: distinctTerms },
      );
      report.indexedEvents += chunks.length;
    }
    if (facts.length > 0) await options.store.memory.recordFacts(facts);
  };

  const archiveRun = async (runId: string): Promise<void> => {
    const events: RunEvent[] = [];
    for (;;) {
      const page = await options.store.events.list(runId, {
        afterSeq: events.at(-1)?.seq ?? 0,
        limit: 1_000,
      });
      events.push(...page);
      if (page.length < 1_000) break;
    }
    const run = await options.store.runs.get(runId);
    const goal = run?.goal ?? goals.get(runId) ?? '';
    const jsonl = `${events.map((event) => JSON.stringify(event)).join('\n')}\n`;
    const transcript = renderTranscript(runId, goal, run?.status ?? events.at(-1)?.type ?? 'unknown', events);
    const base = `tenants/${options.store.tenantId}/runs/${runId}`;
    let transcriptKey: string | undefined;
    if (options.blobs !== undefined) {
      await options.blobs.put(`${base}/trace.jsonl`, new TextEncoder().encode(jsonl), {
        contentType: 'application/x-ndjson',
      });
      transcriptKey = `${base}/transcript.md`;
      await options.blobs.put(transcriptKey, new TextEncoder().encode(transcript), {
        contentType: 'text/markdown',
      });
    }
    await options.knowledge.addBuffer(
      { name: 'transcript.md', data: new TextEncoder().encode(transcript) },
      {
        source: `run:${runId}/transcript`,
        namespace: 'tasks',
        ...(transcriptKey === undefined ? {} : { blobKey: transcriptKey }),
        metadata: {
          runId,
          goal,
          events: events.length,
          ...(options.blobs === undefined ? {} : { traceKey: `${base}/trace.jsonl` }),
        },
      },
    );
  };

  return {
    listener(event: RunEvent): void {
      pending.push(event);
      if (scheduled) return;
      scheduled = true;
      chain = chain.then(drain, drain);
    },
    async close(): Promise<RunMemoryReport> {
      await chain;
      if (pending.length > 0) {
        chain = chain.then(drain);
        await chain;
      }
      return report;
    },
  };
}

/** One line (or paragraph) of text for an event worth remembering; `undefined` for none. */
export function describeEvent(event: RunEvent, goal: string | undefined): string | undefined {
  const clip = (text: string): string =>
    text.length > MAX_EVENT_TEXT ? `${text.slice(0, MAX_EVENT_TEXT - 1)}…` : text;
  switch (event.type) {
    case 'run.started':
      return `Goal of run ${event.runId}: ${event.goal}`;
    case 'run.completed':
      return clip(`Result of "${goal ?? 'a run'}": ${event.answer}`);
    case 'run.failed':
      return `Run "${goal ?? event.runId}" failed (${event.reason}): ${event.error.message}`;
    case 'run.cancelled':
      return `Run "${goal ?? event.runId}" was cancelled: ${event.reason}`;
    case 'agent.thought':
      return clip(`${event.agentId} thought: ${event.text}`);
    case 'tool.result':
      return clip(
        `Tool ${event.toolName}${event.isError ? ' failed' : ' returned'}: ${typeof event.output === 'string' ? event.output : JSON.stringify(event.output)}`,
      );
    case 'tool.requested':
      return clip(
        `${event.agentId} asked for ${event.toolName}${event.why === undefined ? '' : ` because ${event.why}`}: ${JSON.stringify(event.input)}`,
      );
    case 'tool.denied':
      return `Tool ${event.toolName} was denied: ${event.reason}`;
    default: {
      const { schemaVersion: _version, runId: _run, seq: _seq, at: _at, ...body } = event;
      const text = JSON.stringify(body);
      return text.length <= 2 ? undefined : clip(text);
    }
  }
}

/** A run's trace as Markdown: goal, status, then each event worth reading, text deltas joined. */
export function renderTranscript(
  runId: string,
  goal: string,
  status: string,
  events: readonly RunEvent[],
): string {
  const lines = [`# Run ${runId}`, '', `Goal: ${goal}`, '', `Status: ${status}`, '', '## Trace', ''];
  const texts = new Map<string, string>();
  for (const event of events) {
    switch (event.type) {
      case 'text.delta':
        texts.set(event.id, (texts.get(event.id) ?? '') + event.delta);
        break;
      case 'text.end': {
        const text = texts.get(event.id);
        texts.delete(event.id);
        if (text !== undefined && text.trim() !== '') lines.push(`**${event.agentId}:** ${text.trim()}`, '');
        break;
      }
      case 'llm.request':
      case 'llm.usage':
      case 'step.started':
        break;
      case 'run.completed':
        lines.push('## Answer', '', event.answer, '');
        break;
      default: {
        const text = describeEvent(event, goal);
        if (text !== undefined) lines.push(`- ${event.type}: ${text}`, '');
      }
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/**
 * Deletes expired key-value state every `intervalMs` (`sharedState.sweepIntervalMs`).
 * Returns a stop function. The timer does not keep the process alive.
 */
export function startStateSweeper(
  store: Pick<TenantStore, 'memory'>,
  intervalMs: number,
  onError?: (error: unknown) => void,
): () => void {
  const timer = setInterval(() => {
    store.memory.deleteExpiredState().catch((error: unknown) => onError?.(error));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
