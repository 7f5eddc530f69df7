export {
  type ContentSource,
  type GuardFinding,
  type GuardFindingKind,
  type GuardLocation,
  type GuardSeverity,
  highestSeverity,
  severityRank,
} from './findings.ts';
export {
  findInjections,
  type InputGuardOptions,
  type InputInspection,
  inspectInput,
  type PromptPartLocation,
  type PromptRole,
  promptChars,
  wrapUntrusted,
} from './input-guard.ts';
export {
  inspectOutput,
  type OutputGuardOptions,
  type OutputSchemaResult,
  validateOutputSchema,
} from './output-guard.ts';
export {
  DANGER_RULES,
  type DangerRule,
  type DangerSeverity,
  INJECTION_RULES,
  type InjectionRule,
  type Neutralization,
  PII_KINDS,
  REDACTED_PLACEHOLDER,
  redactedPlaceholder,
  SECRET_KIND_LABELS,
  SECRET_KINDS,
  SECRET_RULES,
  type SecretKind,
  type SecretRule,
} from './patterns.ts';
export {
  findSecrets,
  type RedactionResult,
  redactSecrets,
  type SecretMatch,
  type SecretScanOptions,
} from './redaction.ts';
export {
  extractJsonText,
  formatSchemaProblems,
  type JsonTextResult,
  parseJsonText,
  type SchemaProblem,
  type SchemaProblemOptions,
  schemaProblems,
} from './schema-problems.ts';
