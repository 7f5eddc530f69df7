/**
 * What the guards report. Findings are plain values: the orchestrator turns each into a
 * trace event (`guard.flagged`, `guard.blocked`), so nothing a guard does is silent.
 * A finding never contains the secret or the text it is about beyond a short, redacted
 * excerpt.
 */

/** `info`: worth a note in the trace; `warn`: something was changed or looks risky; `block`: do not go on. */
export type GuardSeverity = 'info' | 'warn' | 'block';

/** What a finding is about. */
export type GuardFindingKind =
  /** Text that tries to give the model instructions (neutralised in untrusted content). */
  | 'prompt-injection'
  /** The prompt is longer than `conversation.maxInputChars`. */
  | 'input-too-long'
  /** A credential (API key, token, password, private key) was redacted or found. */
  | 'secret'
  /** Personal data (an email address) was redacted or found. */
  | 'pii'
  /** Model output contains code that would do serious harm if run. */
  | 'dangerous-code';

/** Where a prompt part came from, which decides how much it is trusted. */
export type ContentSource =
  /** The system prompt (ours). */
  | 'system'
  /** The user's own words: the goal, a chat message. Injection is only flagged here. */
  | 'user'
  /** The model's earlier turns. */
  | 'assistant'
  /** A tool's output: untrusted. */
  | 'tool-result'
  /** Retrieved knowledge or web content: untrusted. */
  | 'retrieved';

/** Where a finding is. Prompt findings name the message and part; output findings the offsets and line. */
export interface GuardLocation {
  /** Index of the message in the prompt. */
  messageIndex?: number;
  /** Index of the part in the message's content. */
  partIndex?: number;
  /** The message's role. */
  role?: 'system' | 'user' | 'assistant' | 'tool';
  source?: ContentSource;
  /** Name of the tool whose result it is. */
  toolName?: string;
  /** Offsets in the inspected text (output findings). */
  start?: number;
  end?: number;
  /** 1-based line and column of `start` (output findings). */
  line?: number;
  column?: number;
}

/** One thing a guard noticed. */
export interface GuardFinding {
  kind: GuardFindingKind;
  /** The specific pattern: `openai-key`, `ignore-instructions`, `rm-rf-root`, `max-input-chars`. */
  rule: string;
  severity: GuardSeverity;
  /** One readable sentence, free of secrets. */
  message: string;
  location: GuardLocation;
  /** How many matches the finding stands for (redactions of one kind in one part, say). */
  count?: number;
}

const SEVERITY_RANK: Readonly<Record<GuardSeverity, number>> = { info: 0, warn: 1, block: 2 };

/** Orders severities: `info` < `warn` < `block`. */
export function severityRank(severity: GuardSeverity): number {
  return SEVERITY_RANK[severity];
}

/** The most severe of the findings' severities, or `undefined` for none. */
export function highestSeverity(findings: readonly GuardFinding[]): GuardSeverity | undefined {
  let highest: GuardSeverity | undefined;
  for (const finding of findings) {
    if (highest === undefined || SEVERITY_RANK[finding.severity] > SEVERITY_RANK[highest])
      highest = finding.severity;
  }
  return highest;
}
