export {
  type AgentFileSource,
  type AgentLoadResult,
  loadAgentDirectories,
  loadAgentDirectory,
  loadAgentFiles,
} from './agents/agent-directory.ts';
export {
  type EscalationProblem,
  type EscalationProblemCode,
  escalationChain,
  tierRank,
  validateEscalationTargets,
} from './agents/agent-escalation.ts';
export {
  AGENT_FILE_SUFFIX,
  type AgentFileResult,
  agentFileName,
  agentIdFromFileName,
  normalizeSystemPrompt,
  parseAgentFile,
  type SerializeAgentFileOptions,
  serializeAgentFile,
} from './agents/agent-file.ts';
export {
  type AgentFileProblem,
  type AgentFileProblemCode,
  type AgentFileProblemInput,
  agentProblemsError,
  makeAgentFileProblem,
} from './agents/agent-problems.ts';
export {
  type AgentCandidate,
  AgentRegistry,
  type AgentRegistryOptions,
  type CapabilityMatch,
} from './agents/agent-registry.ts';
export {
  AGENT_FIELDS,
  AGENT_ID_MAX_LENGTH,
  AGENT_ID_PATTERN,
  AGENT_TIERS,
  agentDefinitionSchema,
  agentFrontMatterSchema,
  agentIdSchema,
  agentLimitsSchema,
  llmRequirementSchema,
} from './agents/agent-schema.ts';
export {
  type StarterAgentFile,
  starterAgentDefinitions,
  starterAgentFiles,
} from './agents/starter-agents.ts';
export {
  type ApiKeyRecord,
  type ApiKeyRepository,
  type ApiKeyWithHash,
  type AuditEntry,
  type AuditRecord,
  type AuditRepository,
  type FeedbackRecord,
  type FeedbackRepository,
  type InviteKind,
  type InviteRecord,
  type InviteRepository,
  MEMBER_ROLES,
  type MemberRole,
  type RunRequestRecord,
  type RunRequestRepository,
  type UserRecord,
  type UserRepository,
  type UserWithPassword,
} from './contracts/account-store.ts';
export type {
  AgentDefinition,
  AgentLimits,
  AgentTier,
  AgentVersion,
  LlmRequirement,
  ModelClass,
} from './contracts/agent.ts';
export type { BlobInfo, BlobStore } from './contracts/blob-store.ts';
export type { ChecklistItem, ChecklistItemStatus } from './contracts/checklist.ts';
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
export {
  emptyKnowledgeBase,
  type KnowledgeBase,
  type KnowledgeHit,
  type KnowledgeNamespace,
  type KnowledgeSearchOptions,
} from './contracts/knowledge.ts';
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
} from './contracts/knowledge-store.ts';
export type { LanguageModel, ModelPrice, ModelResolver, ResolvedModel } from './contracts/model.ts';
export {
  type AgentRepository,
  type ChecklistOutcome,
  type ChecklistRepository,
  type ChecklistUpdate,
  type Checkpoint,
  type CheckpointRepository,
  type EventRepository,
  type JournalBatch,
  type JournalRepository,
  type NewRun,
  type NewRunWithId,
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
} from './contracts/store.ts';
export type { TeamDefinition, TeamMember, TeamPolicy, TeamRelationship } from './contracts/team.ts';
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
} from './contracts/tool-store.ts';
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
} from './contracts/tools.ts';
export type { UsageRecord, UsageTotals } from './contracts/usage.ts';
export {
  type AgentLoopHooks,
  type AgentLoopInput,
  type AgentLoopLimits,
  type AgentLoopResult,
  type ModelStepInfo,
  runAgentLoop,
  type StepCheckpoints,
} from './engine/agent-loop.ts';
export { type ModelChoices, resolveModelChain } from './engine/model-chain.ts';
export { type ModelStepResult, type ModelToolCall, runModelStep } from './engine/model-step.ts';
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
  mergeTransitions,
  RunJournal,
  tenantJournalTarget,
} from './events/event-journal.ts';
export {
  type ContentSource,
  extractJsonText,
  findInjections,
  findSecrets,
  formatSchemaProblems,
  type GuardFinding,
  type GuardFindingKind,
  type GuardLocation,
  type GuardSeverity,
  highestSeverity,
  type InputGuardOptions,
  type InputInspection,
  inspectInput,
  inspectOutput,
  type OutputGuardOptions,
  type OutputSchemaResult,
  PII_KINDS,
  parseJsonText,
  promptChars,
  type RedactionResult,
  redactSecrets,
  type SchemaProblem,
  type SchemaProblemOptions,
  SECRET_KIND_LABELS,
  SECRET_KINDS,
  type SecretKind,
  type SecretMatch,
  schemaProblems,
  severityRank,
  validateOutputSchema,
  wrapUntrusted,
} from './guards/index.ts';
export {
  type AiSdkEmbedderOptions,
  createAiSdkEmbedder,
  type EmbeddingCache,
  resolveEmbeddingModel,
} from './knowledge/ai-sdk-embedder.ts';
export { type ChunkingOptions, chunkBlocks, DEFAULT_CHUNKING, type TextChunk } from './knowledge/chunker.ts';
export type { BlockKind, DocumentFormat, ExtractedDocument, TextBlock } from './knowledge/document-model.ts';
export { type Embedder, normalizeL2 } from './knowledge/embedder.ts';
export { type EntityMention, extractEntities, extractFacts } from './knowledge/entity-extraction.ts';
export {
  CODE_EXTENSIONS,
  type DetectedFormat,
  detectFormat,
  extractDocument,
} from './knowledge/extract-document.ts';
export { blobKeySegments, createFileBlobStore } from './knowledge/file-blob-store.ts';
export {
  createHashedTfidfEmbedder,
  fnv1a,
  type HashedTfidfEmbedderOptions,
  LOCAL_EMBEDDER_DIMENSIONS,
  LOCAL_EMBEDDER_ID,
} from './knowledge/hashed-tfidf-embedder.ts';
export { type HybridWeights, mergeHybrid, textQueryFor } from './knowledge/hybrid-merge.ts';
export {
  type AddOptions,
  createKnowledgeBase,
  DEFAULT_KNOWLEDGE_OPTIONS,
  type IngestProgress,
  type IngestResult,
  type KnowledgeBaseDependencies,
  type KnowledgeOptions,
  knowledgeOptionsFromSettings,
  type TenantKnowledgeBase,
} from './knowledge/knowledge-base.ts';
export {
  createMemoryContext,
  factsForGoal,
  formatFacts,
  type MemoryContext,
} from './knowledge/memory-context.ts';
export {
  createRunMemory,
  describeEvent,
  EVENT_PRIORITY,
  type RunMemory,
  type RunMemoryOptions,
  type RunMemoryReport,
  renderTranscript,
  startStateSweeper,
} from './knowledge/run-memory.ts';
export { contentWords, distinctTerms, stem, termsWithRepeats } from './knowledge/text-terms.ts';
export { RunChecklists } from './orchestration/checklist-tool.ts';
export type { BreakerSnapshot, FailureOutcome } from './orchestration/circuit-breaker.ts';
export {
  type BreakerState,
  CircuitBreaker,
  type CircuitBreakerOptions,
} from './orchestration/circuit-breaker.ts';
export { TRANSFER_TOOL } from './orchestration/delegation.ts';
export {
  assembleTeam,
  breakersFromSettings,
  type ExecuteRunInput,
  executeRun,
  findMaster,
  limitsFor,
  type RunDependencies,
  type RunMode,
  type RunOutcome,
  type RunTarget,
  requireMaster,
  runModeOf,
} from './orchestration/execute-run.ts';
export {
  createPlanSchema,
  DEFAULT_PLAN_PRIORITY,
  dependencyOrder,
  describePlanProblems,
  findDependencyCycle,
  PLAN_ITEM_ID_PATTERN,
  type PlanItemOutput,
  type PlanOutput,
  type PlanParseResult,
  type PlanSchemaOptions,
  parsePlan,
  planJsonSchema,
  planToChecklist,
} from './orchestration/plan-schema.ts';
export {
  type BudgetExceeded,
  type BudgetStatus,
  type BudgetWarning,
  type LoopCheck,
  LoopDetector,
  RunBudget,
  type RunBudgetOptions,
  StallDetector,
  type StallInfo,
  type StallTimer,
  systemStallTimer,
} from './orchestration/progress.ts';
export {
  capabilityScore,
  fileMatchesPattern,
  type PastRouteOutcome,
  ROUTE_STRATEGIES,
  type RouteContext,
  type RouteDecision,
  type RouteStrategy,
  routeItem,
  STRATEGY_CONFIDENCE,
} from './orchestration/router.ts';
export type { GoalMemory, RunContext } from './orchestration/run-context.ts';
export { JournalCheckpoints } from './orchestration/step-checkpoints.ts';
export { extractJson } from './orchestration/structured-step.ts';
export { resolveByVotes } from './orchestration/synthesis.ts';
export { normalizeText, textSimilarity, tokenize, tokenSimilarity } from './orchestration/text-similarity.ts';
export { modelResolverFromEnvironment } from './providers/environment-resolver.ts';
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
export {
  generateDataKey,
  open as openSealed,
  seal,
  secretAad,
  unwrapDataKey,
  wrapDataKey,
} from './secrets/envelope.ts';
export { generateMasterKey, MasterKey, parseMasterKey } from './secrets/master-key.ts';
export { assertSecretName, SECRET_NAME_PATTERN } from './secrets/secret-name.ts';
export { resolveSecretReferences, secretReferences } from './secrets/secret-references.ts';
export { type RotationResult, SecretVault, type SecretVaultOptions } from './secrets/secret-vault.ts';
export { MODEL_ID_EXPECTED, MODEL_ID_PATTERN, modelIdSchema } from './settings/model-id.ts';
export {
  DEFAULT_MODEL_PRICING,
  lookupModelPrice,
  modelPriceSchema,
  ZERO_PRICE_PROVIDERS,
} from './settings/pricing.ts';
export {
  loadSettings,
  readSettingsFile,
  SETTINGS_FILE_NAME,
  settingsFilePath,
  writeSettingsFile,
} from './settings/settings-file.ts';
export {
  describeSettingKey,
  getSetting,
  listSettingKeys,
  parseSettingValue,
  type ResolvedSettingKey,
  resetSettings,
  resolveSettingKey,
  type SettingKeyInfo,
  setSetting,
} from './settings/settings-keys.ts';
export {
  deepMerge,
  defaultSettings,
  parseSettings,
  SETTINGS_FILE_META_KEYS,
  type SettingsFile,
  type SettingsProblem,
  type SettingsProblemCode,
  type SettingsValidation,
  settingsProblemsError,
  validateSettings,
} from './settings/settings-parse.ts';
export {
  type AcpSettings,
  type AgentsSettings,
  type ConversationSettings,
  type EscalationSettings,
  type ExecutionSettings,
  type HandoffSettings,
  type HighwaySettings,
  type KnowledgeSettings,
  type LoggingSettings,
  type MethodologySettings,
  type ProgressSettings,
  type RoutingSettings,
  SETTINGS_GROUPS,
  SETTINGS_SCHEMA_VERSION,
  type ServerSettings,
  type Settings,
  type SettingsGroup,
  type SharedStateSettings,
  settingsSchema,
} from './settings/settings-schema.ts';
export {
  type StarterTeamFile,
  starterTeamDefinitions,
  starterTeamFiles,
} from './teams/starter-teams.ts';
export {
  loadTeamDirectories,
  loadTeamDirectory,
  loadTeamFiles,
  type TeamFileSource,
  type TeamLoadResult,
} from './teams/team-directory.ts';
export {
  isTeamFileName,
  parseTeamFile,
  type SerializeTeamFileOptions,
  serializeTeamFile,
  TEAM_FILE_SUFFIX,
  type TeamFileResult,
  teamFileName,
  teamIdFromFileName,
} from './teams/team-file.ts';
export {
  makeTeamFileProblem,
  type TeamFileProblem,
  type TeamFileProblemCode,
  type TeamFileProblemInput,
  teamProblemsError,
} from './teams/team-problems.ts';
export {
  TEAM_FIELDS,
  TEAM_ID_PATTERN,
  TEAM_MODES,
  TEAM_POLICY_LIMITS,
  TEAM_RELATIONSHIPS,
  type TeamFile,
  type TeamPolicyDefaults,
  teamDefinitionSchema,
  teamFileMemberSchema,
  teamFilePolicySchema,
  teamFileSchema,
  teamIdSchema,
  teamMemberSchema,
  teamPolicyDefaults,
  teamPolicySchema,
} from './teams/team-schema.ts';
export {
  type TeamAgentLookup,
  type TeamProblem,
  type TeamProblemCode,
  type ValidateTeamOptions,
  validateTeam,
} from './teams/team-validation.ts';
export {
  AETHER_TOOL_SERVER,
  type AetherToolsOptions,
  type ChecklistItemUpdateStatus,
  type ChecklistUpdater,
  createAetherToolServer,
  type OwnToolCaller,
  type UserQuestioner,
} from './tools/aether-tools-server.ts';
export {
  DatabaseApprovalGate,
  type DatabaseApprovalGateOptions,
  denyingApprovalGate,
} from './tools/approval-gates.ts';
export { type ArgumentProblem, ArgumentValidator } from './tools/argument-validation.ts';
export { definitionHash, type McpToolDefinition } from './tools/definition-hash.ts';
export { createEmptyToolHost } from './tools/empty-tool-host.ts';
export { idempotencyKey } from './tools/idempotency-key.ts';
export {
  type HttpMcpServerConfig,
  type McpServerConfig,
  type McpServerSource,
  mcpServerEntry,
  mcpServerSecretNames,
  mergeMcpServers,
  parseMcpConfigText,
  parseMcpServerEntry,
  readMcpConfigFile,
  type StdioMcpServerConfig,
} from './tools/mcp-config.ts';
export type { InProcessMcpServer } from './tools/mcp-connection.ts';
export {
  InMemoryRateLimiter,
  type RateDecision,
  type RateLimit,
  type RateLimiter,
} from './tools/rate-limiter.ts';
export { REDACTED, SecretRedactor } from './tools/secret-redaction.ts';
export {
  type ServerReport,
  ToolManager,
  type ToolManagerOptions,
  type ToolManagerSettings,
} from './tools/tool-manager.ts';
export {
  MCP_SERVER_NAME_PATTERN,
  matchesAnyToolGlob,
  matchesToolGlob,
  qualifyToolName,
  serverOfToolName,
} from './tools/tool-names.ts';
export {
  blockedAddressReason,
  checkMcpUrl,
  createGuardedFetch,
  type UrlGuardOptions,
} from './tools/url-guard.ts';
