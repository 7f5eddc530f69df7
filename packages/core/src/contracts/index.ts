export type {
  AgentDefinition,
  AgentLimits,
  AgentTier,
  AgentVersion,
  LlmRequirement,
  ModelClass,
} from './agent.ts';
export type { BlobInfo, BlobStore } from './blob-store.ts';
export type { ChecklistItem, ChecklistItemStatus } from './checklist.ts';
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
  type EmbeddingCoverage,
  ENTITY_KINDS,
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
  type ChecklistOutcome,
  type ChecklistRepository,
  type Checkpoint,
  type CheckpointRepository,
  type EventRepository,
  type NewRun,
  RUN_TRANSITIONS,
  type RunPatch,
  type RunRecord,
  type RunRepository,
  type RunStatus,
  type RunTransitionRequest,
  type Store,
  TERMINAL_RUN_STATUSES,
  type TeamRepository,
  type Tenant,
  type TenantDirectory,
  type TenantStore,
  type UsageRepository,
} from './store.ts';
export type { TeamDefinition, TeamMember, TeamPolicy, TeamRelationship } from './team.ts';
export type {
  ApprovalRepository,
  McpServerRecord,
  McpServerRepository,
  NewPendingApproval,
  NewToolWrite,
  PendingApproval,
  PendingApprovalAnswer,
  PendingApprovalStatus,
  SealedValue,
  SecretRepository,
  SecretSummary,
  StoredDataKey,
  StoredSecret,
  ToolDecision,
  ToolDecisionRecord,
  ToolDecisionRepository,
  ToolDecisionStep,
  ToolDefinitionRecord,
  ToolDefinitionRepository,
  ToolDefinitionStatus,
  ToolWriteRecord,
  ToolWriteRepository,
  WrappedDataKey,
} from './tool-store.ts';
export {
  type ApprovalDecision,
  type ApprovalGate,
  type ApprovalRequest,
  TOOL_RETRIES_EXHAUSTED,
  type ToolCallOutcome,
  type ToolCallRequest,
  type ToolContext,
  type ToolDefinition,
  type ToolHost,
} from './tools.ts';
export type { UsageRecord, UsageTotals } from './usage.ts';
