export {
  type AgentFileSource,
  type AgentLoadResult,
  loadAgentDirectories,
  loadAgentDirectory,
  loadAgentFiles,
} from './agent-directory.ts';
export {
  type EscalationProblem,
  type EscalationProblemCode,
  escalationChain,
  tierRank,
  validateEscalationTargets,
} from './agent-escalation.ts';
export {
  AGENT_FILE_SUFFIX,
  type AgentFileResult,
  agentFileName,
  agentIdFromFileName,
  normalizeSystemPrompt,
  parseAgentFile,
  type SerializeAgentFileOptions,
  serializeAgentFile,
} from './agent-file.ts';
export {
  type AgentFileProblem,
  type AgentFileProblemCode,
  type AgentFileProblemInput,
  agentProblemsError,
  makeAgentFileProblem,
} from './agent-problems.ts';
export {
  type AgentCandidate,
  AgentRegistry,
  type AgentRegistryOptions,
  type CapabilityMatch,
} from './agent-registry.ts';
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
} from './agent-schema.ts';
export { type StarterAgentFile, starterAgentDefinitions, starterAgentFiles } from './starter-agents.ts';
