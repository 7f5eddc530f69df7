export type {
  AgentDefinition,
  AgentLimits,
  AgentTier,
  AgentVersion,
  LlmRequirement,
  ModelClass,
} from './agent.ts';
export { type Clock, systemClock } from './clock.ts';
export {
  EVENT_SCHEMA_VERSION,
  type EventError,
  type EventListener,
  type RunEvent,
  type RunEventBody,
  type RunEventMeta,
  type RunEventOf,
  type RunEventType,
  type RunFailureReason,
} from './events.ts';
export type { BlobInfo, BlobStore } from './blob-store.ts';
export type { JsonObject, JsonValue } from './json.ts';
export {
  emptyKnowledgeBase,
  type KnowledgeBase,
  type KnowledgeHit,
  type KnowledgeNamespace,
  type KnowledgeSearchOptions,
} from './knowledge.ts';
export {
  type CandidateQuery,
  type ChunkWriteOptions,
  type CorpusStatistics,
  ENTITY_KINDS,
  type EmbeddingCoverage,
  type EntityFact,
  type EntityKind,
  KNOWLEDGE_NAMESPACES,
  type KnowledgeCandidate,
  type KnowledgeDocument,
  type KnowledgeRepository,
  type MemoryRepository,
  type NewEntityFact,
  type NewKnowledgeChunk,
  type NewKnowledgeDocument,
  type StateEntry,
} from './knowledge-store.ts';
export type { LanguageModel, ModelPrice, ModelResolver, ResolvedModel } from './model.ts';
export {
  type AgentRepository,
  type EventRepository,
  type NewRun,
  RUN_TRANSITIONS,
  type RunPatch,
  type RunRecord,
  type RunRepository,
  type RunStatus,
  type Store,
  TERMINAL_RUN_STATUSES,
  type Tenant,
  type TenantDirectory,
  type TenantStore,
  type UsageRepository,
} from './store.ts';
export type { ToolCallOutcome, ToolCallRequest, ToolContext, ToolDefinition, ToolHost } from './tools.ts';
export type { UsageRecord, UsageTotals } from './usage.ts';
