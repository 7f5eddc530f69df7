/**
 * The settings schema: every limit of Aether, in 13 groups, each field with its type,
 * range or choices, default and a one-line description (shown by `aether config`).
 *
 * Time is in milliseconds (`…Ms`), sizes in bytes (`…Bytes`), money in US dollars.
 */
import { z } from 'zod';
import { MODEL_ID_EXPECTED, modelIdSchema } from './model-id.ts';
import { DEFAULT_MODEL_PRICING, modelPriceSchema } from './pricing.ts';

/** The version of the settings file format; a file from a newer version is refused. */
export const SETTINGS_SCHEMA_VERSION = 1;

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const KIB = 1_024;
const MIB = 1_024 * KIB;

function integer(min: number, max: number): z.ZodNumber {
  return z.number().int().min(min).max(max);
}

function ratio(): z.ZodNumber {
  return z.number().min(0).max(1);
}

const nullableModelId = modelIdSchema
  .nullable()
  .meta({ expected: `${MODEL_ID_EXPECTED}, or null (automatic)` });

const boost = () => z.number().min(0).max(10).default(1);

/** The knowledge base: hybrid search, chunking, and which run events are remembered. */
export const knowledgeSettingsSchema = z.strictObject({
  topK: integer(1, 100).default(8).describe('Results of a search that does not ask for a number.'),
  vectorWeight: ratio()
    .default(0.7)
    .describe('Weight of vector similarity in hybrid search (0: full text only).'),
  textWeight: ratio().default(0.3).describe('Weight of full-text rank in hybrid search (0: vectors only).'),
  candidates: integer(1, 1_000)
    .default(50)
    .describe('Candidates each of the two searches contributes before merging.'),
  namespaceBoosts: z
    .strictObject({
      agents: boost().describe('Score multiplier of the agents namespace.'),
      code: boost().describe('Score multiplier of the code namespace.'),
      messages: boost().describe('Score multiplier of the messages namespace.'),
      docs: boost().describe('Score multiplier of the docs namespace.'),
      tasks: boost().describe('Score multiplier of the tasks namespace.'),
      meta: boost().describe('Score multiplier of the meta namespace.'),
    })
    .prefault({})
    .describe('Score multiplier per namespace.'),
  chunkChars: integer(200, 20_000).default(1_200).describe('Longest chunk, in characters.'),
  overlapChars: integer(0, 5_000)
    .default(200)
    .describe('Text repeated from one chunk to the next when a section is split.'),
  maxFileBytes: integer(1, 1_024 * MIB)
    .default(50 * MIB)
    .describe('Largest file `aether kb add` accepts.'),
  indexMinPriority: integer(0, 5)
    .default(3)
    .describe('Run events at or above this priority (0–5) are indexed as they happen.'),
  injectTopK: integer(0, 50)
    .default(5)
    .describe('Knowledge results the intake step puts into the plan prompt.'),
});

/** How a goal is worked: the 2N+1 loop (N executions, N verifications, 1 synthesis). */
export const methodologySettingsSchema = z.strictObject({
  mode: z
    .enum(['parallel', 'sequential'])
    .default('parallel')
    .describe('Run specialists on their checklist items at the same time, or one after another.'),
  verify: z.boolean().default(true).describe("Check each specialist's work against its checklist item."),
  synthesisStrategy: z
    .enum(['majority', 'tier-weighted', 'merge', 'mediator'])
    .default('merge')
    .describe('How findings are combined into one result; contradictions are flagged in every strategy.'),
  maxSpecialists: integer(1, 32).default(5).describe('Specialists assembled for one goal.'),
  maxChecklistItems: integer(1, 200).default(20).describe('Items the plan may hold.'),
  maxRevisions: integer(0, 10).default(1).describe('Re-runs of an item whose verification failed.'),
  knowledge: knowledgeSettingsSchema.prefault({}).describe('The knowledge base the intake step searches.'),
});

/** Models and per-agent limits; an agent file's own `limits` win over these. */
export const agentsSettingsSchema = z.strictObject({
  modelByTier: z
    .strictObject({
      master: nullableModelId.default(null).describe('Model of master agents (null: pick automatically).'),
      manager: nullableModelId.default(null).describe('Model of manager agents (null: pick automatically).'),
      worker: nullableModelId.default(null).describe('Model of worker agents (null: pick automatically).'),
    })
    .prefault({})
    .describe("Model per tier, used when an agent names no model; wins over the agent's model class."),
  modelByClass: z
    .strictObject({
      fast: nullableModelId.default(null).describe('Model for the "fast" class (null: pick automatically).'),
      balanced: nullableModelId
        .default(null)
        .describe('Model for the "balanced" class (null: pick automatically).'),
      powerful: nullableModelId
        .default(null)
        .describe('Model for the "powerful" class (null: pick automatically).'),
    })
    .prefault({})
    .describe("Model per class of an agent's llmRequirement."),
  fallbackModels: z
    .array(modelIdSchema)
    .max(10)
    .default(() => [])
    .describe('Models tried in order when a call fails with a provider error.'),
  callTimeoutMs: integer(SECOND, HOUR)
    .default(2 * MINUTE)
    .describe('Limit of one model call.'),
  maxRetries: integer(0, 10).default(2).describe('Retries of a failed, retryable model call.'),
  maxIterations: integer(1, 1_000).default(20).describe('Model steps in one agent loop.'),
  timeoutMs: integer(SECOND, DAY)
    .default(10 * MINUTE)
    .describe('Wall-clock limit of one agent loop.'),
  temperature: z.number().min(0).max(2).default(0.3).describe('Sampling temperature.'),
  tokenBudget: integer(1_000, 100_000_000).default(200_000).describe('Tokens one agent may spend in a run.'),
  maxOutputTokens: integer(1, 1_000_000)
    .nullable()
    .default(null)
    .describe("Output tokens of one model call (null: the provider's default)."),
  embeddingModel: nullableModelId
    .default(null)
    .describe(
      'Embedding model of the knowledge base (e.g. openai:text-embedding-3-small); null: the local TF-IDF embedder. Changing it re-embeds in the background.',
    ),
  pricing: z
    .record(modelIdSchema, modelPriceSchema)
    .default(
      () => structuredClone(DEFAULT_MODEL_PRICING) as Record<string, z.output<typeof modelPriceSchema>>,
    )
    .describe(
      'US dollars per million tokens, by model id. Built-in prices are editable defaults; ' +
        'ollama and openai-compatible models cost 0 unless listed here.',
    ),
});

/** Limits of a run and of the job workers that execute runs. */
export const executionSettingsSchema = z
  .strictObject({
    maxConcurrency: integer(1, 64).default(4).describe('Agents of one run working at the same time.'),
    maxConcurrentRuns: integer(1, 256).default(2).describe('Runs one process executes at the same time.'),
    runTimeoutMs: integer(SECOND, 7 * DAY)
      .default(30 * MINUTE)
      .describe('Hard limit of one run.'),
    timeBudgetMs: integer(SECOND, 7 * DAY)
      .default(20 * MINUTE)
      .describe('Soft time budget of a run: past it the run wraps up and synthesizes.'),
    tokenBudget: integer(1_000, 1_000_000_000).default(2_000_000).describe('Tokens one run may spend.'),
    costBudgetUsd: z
      .number()
      .min(0)
      .max(100_000)
      .nullable()
      .default(null)
      .describe('US dollars one run may spend (null: no limit).'),
    maxToolRetries: integer(0, 10)
      .default(2)
      .describe(
        'Times an agent may retry a tool after an error or invalid arguments; one more failure in a row fails its item.',
      ),
    toolCallTimeoutMs: integer(SECOND, HOUR)
      .default(2 * MINUTE)
      .describe('Limit of one MCP tool call.'),
    approvalTimeoutMs: integer(100, DAY)
      .default(5 * MINUTE)
      .describe('Wait for a person to approve a write tool call; past it the call is denied.'),
    toolRateLimits: z
      .record(
        z.string().regex(/^[A-Za-z0-9_*?.-]+$/, 'a tool name or glob (letters, digits, _ - . * ?)'),
        z.strictObject({
          perMinute: integer(1, 1_000_000).describe('Calls per minute, on average.'),
          burst: integer(1, 10_000).describe('Calls that may be made at once before the rate applies.'),
        }),
      )
      .default(() => ({}))
      .describe(
        'Token bucket per tenant and tool, by tool name or glob (e.g. "github__*"); the first matching entry applies.',
      ),
    toolRateLimitWaitMs: integer(0, 10 * MINUTE)
      .default(10 * SECOND)
      .describe('A rate-limited tool call waits at most this long for its turn, else it is denied.'),
    trustedMcpServers: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'an MCP server name'))
      .default(() => [])
      .describe("MCP servers whose tools' read-only annotations are believed (others' writes ask first)."),
    mcpAllowedPrivateHosts: z
      .array(z.string().min(1))
      .default(() => [])
      .describe(
        'Hosts, IP addresses or CIDR ranges that HTTP MCP servers may use although private, loopback or link-local.',
      ),
    mcpReconnectDelayMs: integer(0, HOUR)
      .default(5 * SECOND)
      .describe('After an MCP server failed to start, wait this long before trying it again.'),
    eventFlushMs: integer(0, 1_000)
      .default(5)
      .describe('Group-commit interval of trace events (0: write each event at once).'),
    eventBatchMax: integer(1, 10_000).default(200).describe('Events written in one group commit at most.'),
    heartbeatMs: integer(100, 10 * MINUTE)
      .default(5 * SECOND)
      .describe('How often a running job says it is alive.'),
    staleRunMs: integer(SECOND, DAY)
      .default(30 * SECOND)
      .describe('A run whose heartbeat is older than this is taken over and resumed.'),
  })
  .superRefine((value, context) => {
    if (value.staleRunMs < 2 * value.heartbeatMs) {
      context.addIssue({
        code: 'custom',
        path: ['staleRunMs'],
        input: value.staleRunMs,
        message: `at least twice execution.heartbeatMs (${2 * value.heartbeatMs}), so live runs are not taken over`,
      });
    }
  });

/** When a failing agent hands its problem up (worker → manager → master), through circuit breakers. */
export const escalationSettingsSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Escalate failures to the escalation target.'),
  threshold: integer(1, 100)
    .default(3)
    .describe('Failures within the window that open an agent’s circuit breaker.'),
  windowMs: integer(SECOND, DAY).default(MINUTE).describe('Window in which failures are counted.'),
  cooldownMs: integer(0, DAY)
    .default(30 * SECOND)
    .describe('How long an open breaker stays open.'),
  masterMinPriority: integer(1, 5)
    .default(4)
    .describe('Lowest priority (1–5) the master accepts from a worker; managers always reach it.'),
});

/** How work is routed to agents. */
export const routingSettingsSchema = z.strictObject({
  confidenceThreshold: ratio()
    .default(0.5)
    .describe('Below this routing confidence the fallback agent (or the master) decides.'),
  preferIdle: z.boolean().default(true).describe('Prefer idle agents over busy ones with a better match.'),
  fallbackAgentId: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/, 'an agent id')
    .nullable()
    .default(null)
    .describe('Agent that takes work no agent is confident about (null: the master).'),
});

/** How much of a conversation is kept and accepted. */
export const conversationSettingsSchema = z.strictObject({
  maxHistoryMessages: integer(1, 10_000)
    .default(50)
    .describe('Messages sent to the model; older ones are left out (the task itself is always kept).'),
  maxInputChars: integer(1, 10_000_000)
    .default(400_000)
    .describe(
      'Characters of text one model call may send (system prompt, history, tool results); a larger prompt is blocked, with an event.',
    ),
});

/** Delegation: control handed from one agent to another (`transfer_to`). */
export const handoffSettingsSchema = z.strictObject({
  maxChainLength: integer(1, 50).default(5).describe('Handoffs in a row before the chain is stopped.'),
  carryMessages: integer(0, 1_000).default(10).describe('Recent messages handed to the next agent.'),
});

/** Progress watching: stalls, loops and budget warnings. */
export const progressSettingsSchema = z.strictObject({
  stallTimeoutMs: integer(SECOND, DAY)
    .default(2 * MINUTE)
    .describe('No progress for this long counts as a stall.'),
  loopWindow: integer(2, 100).default(6).describe('Recent steps compared to detect a loop.'),
  similarityThreshold: ratio().default(0.9).describe('Steps at least this similar count as repeats.'),
  budgetWarningRatio: ratio().default(0.8).describe('Share of a budget at which a warning is raised.'),
});

/** The highway: the message bus agents of a run post findings to and read from. */
export const highwaySettingsSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Let agents of a run exchange messages.'),
  maxMessageBytes: integer(KIB, 16 * MIB)
    .default(64 * KIB)
    .describe('Size of one message.'),
  bufferMessages: integer(0, 100_000).default(1_000).describe('Messages kept for late readers, per run.'),
  deliveryTimeoutMs: integer(100, 10 * MINUTE)
    .default(10 * SECOND)
    .describe('Wait for a slow reader before dropping.'),
});

/** ACP: editors and other clients driving Aether agents over the Agent Client Protocol. */
export const acpSettingsSchema = z.strictObject({
  enabled: z.boolean().default(false).describe('Accept ACP clients.'),
  maxSessions: integer(1, 1_000).default(4).describe('ACP sessions open at the same time.'),
  requestTimeoutMs: integer(SECOND, HOUR).default(MINUTE).describe('Wait for an answer from the client.'),
  maxFrameBytes: integer(KIB, 64 * MIB)
    .default(MIB)
    .describe('Size of one protocol frame.'),
});

/** State shared by the agents of a run (a key-value scratchpad). */
export const sharedStateSettingsSchema = z.strictObject({
  maxEntries: integer(1, 1_000_000).default(1_000).describe('Keys one run may hold.'),
  maxValueBytes: integer(1, 64 * MIB)
    .default(256 * KIB)
    .describe('Size of one value.'),
  maxTotalBytes: integer(KIB, 1_024 * MIB)
    .default(16 * MIB)
    .describe('Size of all values of a run.'),
  lockTimeoutMs: integer(0, 10 * MINUTE)
    .default(5 * SECOND)
    .describe('Wait for a key another agent holds.'),
  defaultTtlMs: integer(SECOND, 365 * DAY)
    .nullable()
    .default(null)
    .describe('How long a key lives when it is set without a TTL (null: until deleted).'),
  sweepIntervalMs: integer(SECOND, DAY).default(MINUTE).describe('How often expired keys are deleted.'),
});

/** Logs (never secrets). */
export const loggingSettingsSchema = z.strictObject({
  level: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
    .default('info')
    .describe('Least severe level written.'),
  format: z
    .enum(['pretty', 'json'])
    .default('pretty')
    .describe('Readable lines, or one JSON object per line.'),
  redactPaths: z
    .array(z.string().min(1))
    .default(() => [])
    .describe('Extra field paths to redact, on top of the built-in secret fields.'),
});

/** The HTTP server (`aether serve`). */
export const serverSettingsSchema = z.strictObject({
  port: integer(0, 65_535).default(4_000).describe('TCP port (0: any free port).'),
  host: z.string().min(1).default('127.0.0.1').describe('Address to listen on; 0.0.0.0 exposes the server.'),
  signup: z
    .enum(['open', 'invite'])
    .default('invite')
    .describe('Anyone may sign up, or only invited people.'),
  bodyLimitBytes: integer(KIB, 100 * MIB)
    .default(MIB)
    .describe('Size of one request body.'),
  requestTimeoutMs: integer(SECOND, HOUR)
    .default(30 * SECOND)
    .describe('Limit of one non-streaming request.'),
  corsOrigins: z
    .array(z.string().min(1))
    .default(() => [])
    .describe('Origins allowed to call the API from a browser (none: same origin only).'),
  trustProxy: z.boolean().default(false).describe('Trust X-Forwarded-* headers from a reverse proxy.'),
  tokenTtlMs: integer(MINUTE, 30 * DAY)
    .default(12 * HOUR)
    .describe('How long a log-in token (JWT) is valid.'),
  inviteTtlMs: integer(MINUTE, 90 * DAY)
    .default(7 * DAY)
    .describe('How long an invite may be used.'),
  rateLimitPerMinute: integer(1, 1_000_000)
    .default(600)
    .describe('Requests one tenant may make to one route per minute.'),
  authRateLimitPerMinute: integer(1, 100_000)
    .default(20)
    .describe('Sign-up and log-in attempts per minute from one address.'),
  workerConcurrency: integer(1, 256)
    .default(4)
    .describe('Runs one worker (or the embedded pool) executes at once.'),
  queueLockMs: integer(SECOND, HOUR)
    .default(30 * SECOND)
    .describe('A queued job whose worker stopped renewing its lock this long is handed to another worker.'),
});

/**
 * All settings. Every group and field has a default, so `settingsSchema.parse({})` is the
 * full default settings; unknown keys are errors at every level.
 */
export const settingsSchema = z.strictObject({
  methodology: methodologySettingsSchema.prefault({}),
  agents: agentsSettingsSchema.prefault({}),
  execution: executionSettingsSchema.prefault({}),
  escalation: escalationSettingsSchema.prefault({}),
  routing: routingSettingsSchema.prefault({}),
  conversation: conversationSettingsSchema.prefault({}),
  handoff: handoffSettingsSchema.prefault({}),
  progress: progressSettingsSchema.prefault({}),
  highway: highwaySettingsSchema.prefault({}),
  acp: acpSettingsSchema.prefault({}),
  logging: loggingSettingsSchema.prefault({}),
  sharedState: sharedStateSettingsSchema.prefault({}),
  server: serverSettingsSchema.prefault({}),
});

/** The full, validated settings. */
export type Settings = z.output<typeof settingsSchema>;
/** The names of the settings groups. */
export type SettingsGroup = keyof Settings;
/** `methodology` group. */
export type MethodologySettings = Settings['methodology'];
/** `agents` group. */
export type AgentsSettings = Settings['agents'];
/** `execution` group. */
export type ExecutionSettings = Settings['execution'];
/** `escalation` group. */
export type EscalationSettings = Settings['escalation'];
/** `routing` group. */
export type RoutingSettings = Settings['routing'];
/** `conversation` group. */
export type ConversationSettings = Settings['conversation'];
/** `handoff` group. */
export type HandoffSettings = Settings['handoff'];
/** `progress` group. */
export type ProgressSettings = Settings['progress'];
/** `highway` group. */
export type HighwaySettings = Settings['highway'];
/** `acp` group. */
export type AcpSettings = Settings['acp'];
/** `sharedState` group. */
export type SharedStateSettings = Settings['sharedState'];
/** `methodology.knowledge`: search weights, chunking, run-event indexing. */
export type KnowledgeSettings = Settings['methodology']['knowledge'];
/** `logging` group. */
export type LoggingSettings = Settings['logging'];
/** `server` group. */
export type ServerSettings = Settings['server'];

/** The group names, in the order of ARCHITECTURE.md. */
export const SETTINGS_GROUPS: readonly SettingsGroup[] = Object.freeze(
  Object.keys(settingsSchema.shape) as SettingsGroup[],
);
