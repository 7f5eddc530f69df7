export type {
  AgentDefinition,
  AgentLimits,
  AgentTier,
  AgentVersion,
  LlmRequirement,
  ModelClass,
} from './contracts/agent.ts';
export { type Clock, systemClock } from './contracts/clock.ts';
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
} from './contracts/events.ts';
export type { JsonObject, JsonValue } from './contracts/json.ts';
export type { LanguageModel, ModelPrice, ModelResolver, ResolvedModel } from './contracts/model.ts';
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
} from './contracts/store.ts';
export type {
  ToolCallOutcome,
  ToolCallRequest,
  ToolContext,
  ToolDefinition,
  ToolHost,
} from './contracts/tools.ts';
export type { UsageRecord, UsageTotals } from './contracts/usage.ts';
export {
  type AgentLoopInput,
  type AgentLoopLimits,
  type AgentLoopResult,
  runAgentLoop,
} from './engine/agent-loop.ts';
export { type ModelChoices, resolveModelChain } from './engine/model-chain.ts';
export { type ModelStepResult, type ModelToolCall, runModelStep } from './engine/model-step.ts';
export {
  type ExecuteRunInput,
  executeRun,
  type RunExecutorDependencies,
  type RunOutcome,
} from './engine/run-executor.ts';
export { type Conversation, startConversation } from './engine/turn-preparation.ts';
export {
  AetherError,
  type AetherErrorOptions,
  describeError,
  type ErrorCategory,
  isAetherError,
} from './errors.ts';
export {
  EventJournal,
  type EventJournalOptions,
  type JournalTarget,
  RunJournal,
  tenantJournalTarget,
} from './events/event-journal.ts';
export { KNOWN_PROVIDERS, type ModelId, type ProviderName, parseModelId } from './providers/model-id.ts';
export { createModelResolver, type ModelDefaults, noProviderMessage } from './providers/model-resolver.ts';
export { costOf } from './providers/pricing.ts';
export {
  DEFAULT_MODELS,
  DEFAULT_OLLAMA_BASE_URL,
  detectOllama,
  type Environment,
  PROVIDER_VARIABLES,
  type ProviderConfig,
  type ProviderConnection,
  providerConfigFromEnvironment,
} from './providers/provider-config.ts';
export { createEmptyToolHost } from './tools/empty-tool-host.ts';
