/**
 * The patterns the guards look for: secrets and personal data (redacted before a prompt
 * leaves the process), prompt-injection phrases (in untrusted content), and dangerous code
 * (in model output). Plain data: compiled regular expressions and a few words each, so the
 * lists can be read, reviewed and tested on their own.
 *
 * Every pattern is written to run in linear time on long inputs: repeated classes are
 * anchored by a look-behind so a match can only start at the beginning of a run.
 */

/** What a redacted value was. Emails are personal data; every other kind is a credential. */
export type SecretKind =
  | 'private-key'
  | 'anthropic-key'
  | 'openai-key'
  | 'stripe-key'
  | 'github-token'
  | 'google-api-key'
  | 'slack-token'
  | 'aws-access-key'
  | 'jwt'
  | 'password'
  | 'credential'
  | 'email';

/** A pattern of a secret. The named group `secret`, when present, is the part replaced. */
export interface SecretRule {
  kind: SecretKind;
  /** What the value is, for messages: "an OpenAI API key". */
  label: string;
  /** Global (`g`) and with indices (`d`), so the `secret` group's position is known. */
  pattern: RegExp;
  /** A further check of the value (the `secret` group); false skips the match. */
  accept?: (value: string) => boolean;
}

/** A value already redacted: `[REDACTED:kind]`. Patterns never match one again. */
export const REDACTED_PLACEHOLDER: RegExp = /\[REDACTED:[a-z-]+\]/g;

/** The text a redacted value is replaced by. */
export function redactedPlaceholder(kind: SecretKind): string {
  return `[REDACTED:${kind}]`;
}

const PASSWORD_KEYS = '(?:password|passwd|pwd|passphrase)';
const CREDENTIAL_KEYS =
  '(?:api[_-]?key|apikey|secret|secret[_-]?key|client[_-]?secret|access[_-]?key|access[_-]?token|auth[_-]?token|refresh[_-]?token|private[_-]?key|token)';
/** An identifier prefix such as `DB_` or `aws-secret-` before a key name. */
const KEY_PREFIX = '(?:[A-Za-z0-9_]*[_-])?';
const NOT_REDACTED = '(?!\\[REDACTED:)';

/** `key = "value"`, `"key": "value"`, `key: 'value'`: a quoted value. */
function quotedAssignment(keys: string, minLength: number): RegExp {
  return new RegExp(
    `(?<![A-Za-z0-9_])${KEY_PREFIX}${keys}["']?[ \\t]*[:=][ \\t]*(?<quote>["'])(?<secret>${NOT_REDACTED}(?:(?!\\k<quote>)[^\\\\\\n]|\\\\.){${minLength},})\\k<quote>`,
    'gid',
  );
}

/** An unquoted value: up to whitespace, `&`, `;`, `,`, a quote or a closing bracket. */
function bareValue(minLength: number): string {
  return `(?<secret>${NOT_REDACTED}(?![=>"'\\s$])[^\\s&;,'")\\]}]{${minLength},})`;
}

/**
 * `key=value` where it is configuration rather than code: an upper-case environment
 * variable (`DB_PASSWORD=…`), a URL query or a command-line flag (`?password=…`,
 * `--password=…`), or a line of an env/ini file (`password=…` at the start of a line, no
 * space before `=`). `password = getPassword()` in source code is left alone.
 */
function bareAssignments(keys: string, minLength: number): RegExp[] {
  const upper = keys.toUpperCase();
  return [
    new RegExp(`(?<![A-Za-z0-9_])[A-Z0-9_]*${upper}[ \\t]*=[ \\t]*${bareValue(minLength)}`, 'gd'),
    new RegExp(`(?<=[?&;]|(?<![A-Za-z0-9_-])--?)${KEY_PREFIX}${keys}=${bareValue(minLength)}`, 'gid'),
    new RegExp(`^[ \\t]*(?:export[ \\t]+)?${KEY_PREFIX}${keys}=${bareValue(minLength)}`, 'gimd'),
  ];
}

/** `key: value` at the start of a line (YAML, headers): an unquoted value after `:`. */
function lineAssignment(keys: string, minLength: number): RegExp {
  return new RegExp(
    `^[ \\t-]*${KEY_PREFIX}${keys}[ \\t]*:[ \\t]*(?<secret>${NOT_REDACTED}(?!["'\\s])[^\\n]{${minLength},}?)(?=[ \\t]*$)`,
    'gimd',
  );
}

const CODE_TYPES =
  /^(?:string|number|boolean|bigint|any|unknown|undefined|null|never|true|false|none|str|int|bool)\b/i;

/**
 * True for an unquoted "value" that is really code: a call, a property path, a variable
 * reference, a type, or a line ending like a statement (`password: req.body.password,`,
 * `password: string;`, `password: z.string()`).
 */
export function looksLikeCode(value: string): boolean {
  const trimmed = value.trim();
  return (
    /[(){}[\]<>]/.test(trimmed) ||
    /[,;]$/.test(trimmed) ||
    trimmed.startsWith('$') ||
    CODE_TYPES.test(trimmed) ||
    /^[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)+\??$/.test(trimmed)
  );
}

function notCode(value: string): boolean {
  return !looksLikeCode(value);
}

/**
 * The secret patterns, most specific first: when two overlap, the earlier wins (a key in
 * `password=sk-…` is reported as an OpenAI key).
 */
export const SECRET_RULES: readonly SecretRule[] = Object.freeze([
  {
    kind: 'private-key',
    label: 'a private key block',
    pattern:
      /-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|$)/dg,
  },
  {
    kind: 'anthropic-key',
    label: 'an Anthropic API key',
    pattern: /(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{20,}/dg,
  },
  {
    kind: 'openai-key',
    label: 'an OpenAI API key',
    pattern: /(?<![A-Za-z0-9_-])sk-(?!ant-)[A-Za-z0-9_-]{20,}/dg,
  },
  {
    kind: 'stripe-key',
    label: 'a Stripe secret key',
    pattern: /(?<![A-Za-z0-9_])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/dg,
  },
  {
    kind: 'github-token',
    label: 'a GitHub token',
    pattern: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/dg,
  },
  {
    kind: 'google-api-key',
    label: 'a Google API key',
    pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/dg,
  },
  {
    kind: 'slack-token',
    label: 'a Slack token',
    pattern: /(?<![A-Za-z0-9_-])xox[abprs]-[A-Za-z0-9-]{10,}/dg,
  },
  {
    kind: 'aws-access-key',
    label: 'an AWS access key id',
    pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/dg,
  },
  {
    kind: 'jwt',
    label: 'a JSON Web Token',
    pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/dg,
  },
  {
    kind: 'password',
    label: 'a password in a URL',
    pattern: /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:/@]+:(?<secret>(?!\[REDACTED:)[^\s@/]+)@/dg,
  },
  { kind: 'password', label: 'a password', pattern: quotedAssignment(PASSWORD_KEYS, 1) },
  ...bareAssignments(PASSWORD_KEYS, 1).map((pattern) => ({
    kind: 'password' as const,
    label: 'a password',
    pattern,
    accept: notCode,
  })),
  { kind: 'password', label: 'a password', pattern: lineAssignment(PASSWORD_KEYS, 1), accept: notCode },
  { kind: 'credential', label: 'a credential', pattern: quotedAssignment(CREDENTIAL_KEYS, 8) },
  ...bareAssignments(CREDENTIAL_KEYS, 8).map((pattern) => ({
    kind: 'credential' as const,
    label: 'a credential',
    pattern,
    accept: notCode,
  })),
  { kind: 'credential', label: 'a credential', pattern: lineAssignment(CREDENTIAL_KEYS, 8), accept: notCode },
  {
    kind: 'credential',
    label: 'a bearer token',
    pattern: /(?<![A-Za-z0-9_])Bearer[ \t]+(?<secret>(?!\[REDACTED:)[A-Za-z0-9._~+/-]{16,}=*)/dg,
  },
  {
    kind: 'email',
    label: 'an email address',
    pattern:
      /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}(?![A-Za-z0-9-])/dg,
  },
] satisfies SecretRule[]);

/** What each kind of secret is, for messages about several values of a kind. */
export const SECRET_KIND_LABELS: Readonly<Record<SecretKind, string>> = Object.freeze({
  'private-key': 'private key block',
  'anthropic-key': 'Anthropic API key',
  'openai-key': 'OpenAI API key',
  'stripe-key': 'Stripe secret key',
  'github-token': 'GitHub token',
  'google-api-key': 'Google API key',
  'slack-token': 'Slack token',
  'aws-access-key': 'AWS access key id',
  jwt: 'JSON Web Token',
  password: 'password',
  credential: 'credential',
  email: 'email address',
});

/** Every secret kind, in rule order. */
export const SECRET_KINDS: readonly SecretKind[] = Object.freeze([
  ...new Set(SECRET_RULES.map((rule) => rule.kind)),
]);

/** The kinds that are personal data rather than credentials. */
export const PII_KINDS: readonly SecretKind[] = Object.freeze(['email']);

/** How an injection match is made harmless in untrusted content. */
export type Neutralization =
  /** The phrase is kept, quoted inside a `[neutralized instruction: "…"]` marker. */
  | 'quote'
  /** The token is replaced by a marker (chat-template tokens mean nothing as data). */
  | 'remove';

/** A prompt-injection pattern. */
export interface InjectionRule {
  id: string;
  /** What it looks like, for messages. */
  label: string;
  pattern: RegExp;
  neutralize: Neutralization;
}

const FILLER =
  '(?:all|any|of|the|your|my|these|those|previous|prior|above|earlier|preceding|original|initial|system|developer|safety|existing|other)';

/** Prompt-injection patterns, checked in untrusted content (tool results, retrieved knowledge). */
export const INJECTION_RULES: readonly InjectionRule[] = Object.freeze([
  {
    id: 'ignore-instructions',
    label: 'an order to ignore earlier instructions',
    pattern: new RegExp(
      `\\b(?:ignore|disregard|forget|override|bypass)\\b(?:\\s+${FILLER}\\b)+\\s+(?:instructions?|prompts?|rules|guidelines|directions|directives|messages?)\\b`,
      'gi',
    ),
    neutralize: 'quote',
  },
  {
    id: 'new-instructions',
    label: 'a claim of new instructions',
    pattern: /\b(?:new|updated|real|actual|true|important)\s+(?:system\s+)?instructions?\s*:/gi,
    neutralize: 'quote',
  },
  {
    id: 'role-override',
    label: 'an attempt to change the assistant’s role',
    pattern:
      /\b(?:you\s+are\s+now\s+(?:a|an|the|in|no\s+longer)\b|from\s+now\s+on,?\s+you\s+(?:are|will|must)\b|(?:act|behave)\s+as\s+(?:if\s+you\s+(?:are|were)\s+)?(?:an?\s+)?(?:unrestricted|unfiltered|jailbroken|evil|DAN)\b|(?:developer|god|DAN|jailbreak)\s+mode\b|do\s+anything\s+now\b)/gi,
    neutralize: 'quote',
  },
  {
    id: 'prompt-exfiltration',
    label: 'a request to reveal the system prompt',
    pattern:
      /\b(?:reveal|print|show|repeat|output|display|leak|dump)\s+(?:me\s+)?(?:your|the)\s+(?:full\s+|entire\s+|original\s+|hidden\s+|initial\s+)?(?:system\s+prompt|system\s+message|instructions|prompt)\b/gi,
    neutralize: 'quote',
  },
  {
    id: 'secret-exfiltration',
    label: 'a request to send secrets somewhere',
    pattern:
      /\b(?:send|post|upload|forward|email|exfiltrate|leak)\b[^.\n]{0,60}?\b(?:api[\s_-]?keys?|credentials|secrets?|passwords?|private\s+keys?|env(?:ironment)?\s+variables)\b/gi,
    neutralize: 'quote',
  },
  {
    id: 'fake-system-header',
    label: 'text posing as a system message',
    pattern:
      /^[ \t]*(?:#{1,6}[ \t]*)?(?:SYSTEM|\[system\]|[Ss]ystem[ \t]+(?:prompt|message|instructions?)|BEGIN[ \t]+SYSTEM[ \t]+PROMPT)[ \t]*:?[ \t]*$|^[ \t]*(?:#{1,6}[ \t]*)?(?:SYSTEM|[Ss]ystem[ \t]+(?:prompt|message|instructions?))[ \t]*:/gm,
    neutralize: 'quote',
  },
  {
    id: 'chat-template-token',
    label: 'a chat-template control token',
    pattern:
      /<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text)\|>|\[\/?INST\]|<<\/?SYS>>|<\/?untrusted\b[^>]*>/gi,
    neutralize: 'remove',
  },
] satisfies InjectionRule[]);

/** How bad a dangerous-code finding is. */
export type DangerSeverity = 'info' | 'warn' | 'block';

/** A dangerous-code pattern in model output. */
export interface DangerRule {
  id: string;
  /** What the code would do, for messages: "deletes the whole file system". */
  label: string;
  severity: DangerSeverity;
  pattern: RegExp;
  /** A further check of a match, for what one pattern cannot say. */
  accept?: (match: RegExpExecArray) => boolean;
}

/** `rm` options that make it recursive. */
function isRecursiveRemoval(match: RegExpExecArray): boolean {
  const options = match.groups?.['options'] ?? '';
  return (
    /(?:^|\s)(?:-[A-Za-z]*[rR][A-Za-z]*|--recursive)(?=\s|$)/.test(options) ||
    /--no-preserve-root/.test(options)
  );
}

const END_OF_ARGUMENT = '(?=$|[\\s;&|)`\'"])';

/*
 * Gaps inside a command are bounded (`{0,300}`), so a pathological line (thousands of
 * "curl " and no pipe) costs linear, not quadratic, time.
 */

/** Dangerous-code patterns, checked in model output. Overlapping matches keep the most severe. */
export const DANGER_RULES: readonly DangerRule[] = Object.freeze([
  {
    id: 'rm-rf-root',
    label: 'deletes the whole file system or a home directory',
    severity: 'block',
    pattern: new RegExp(
      `\\brm\\s+(?<options>(?:-{1,2}[A-Za-z][A-Za-z-]*\\s+)+)(?:\\/|\\/\\*|~\\/?|~\\/\\*|\\$HOME\\/?|\\$\\{HOME\\}\\/?|\\/(?:bin|boot|dev|etc|home|lib|lib64|opt|root|sbin|srv|usr|var)\\/?\\*?)${END_OF_ARGUMENT}`,
      'gm',
    ),
    accept: isRecursiveRemoval,
  },
  {
    id: 'fork-bomb',
    label: 'is a fork bomb (exhausts the machine’s processes)',
    severity: 'block',
    pattern:
      /:\s*\(\s*\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;?\s*:|\b([A-Za-z_]\w*)\s*\(\s*\)\s*\{\s*\1\s*\|\s*\1\s*&\s*\}\s*;?\s*\1\b/g,
  },
  {
    id: 'mkfs',
    label: 'formats a disk',
    severity: 'block',
    pattern: /\b(?:mkfs(?:\.[a-z0-9]+)?|mke2fs|mkswap)\s+\S+/g,
  },
  {
    id: 'dd-to-disk',
    label: 'overwrites a disk device',
    severity: 'block',
    pattern: /\bdd\b[^\n]{0,300}\bof=\/dev\/(?:sd[a-z]|hd[a-z]|vd[a-z]|xvd[a-z]|nvme\d|mmcblk\d|disk\d)/g,
  },
  {
    id: 'write-to-disk',
    label: 'writes over a disk device',
    severity: 'block',
    pattern: />\s*\/dev\/(?:sd[a-z]|hd[a-z]|vd[a-z]|xvd[a-z]|nvme\d+n\d+|mmcblk\d+|disk\d+)\b/g,
  },
  {
    id: 'format-drive',
    label: 'formats a Windows drive',
    severity: 'block',
    pattern: /\bformat(?:\.com)?\s+[A-Za-z]:(?=\s|$|\/)/gim,
  },
  {
    id: 'remove-drive',
    label: 'deletes a whole Windows drive',
    severity: 'block',
    pattern: /\b(?:Remove-Item|rd|rmdir|del)\b[^\n]{0,300}?\s[A-Za-z]:\\\*?(?=\s|$)/gim,
    accept: (match) => /\s(?:-Recurse\b|\/s\b)/i.test(match[0]),
  },
  {
    id: 'drop-database',
    label: 'deletes a whole database',
    severity: 'block',
    pattern: /\bDROP\s+(?:DATABASE|SCHEMA)\b/gi,
  },
  { id: 'drop-table', label: 'deletes a table', severity: 'warn', pattern: /\bDROP\s+TABLE\b/gi },
  {
    id: 'truncate-table',
    label: 'empties a table',
    severity: 'warn',
    pattern: /\bTRUNCATE\s+(?:TABLE\s+)?["`[]?[A-Za-z_]/gi,
  },
  {
    id: 'delete-without-where',
    label: 'deletes every row of a table (no WHERE clause)',
    severity: 'warn',
    pattern: /\bDELETE\s+FROM\s+[A-Za-z0-9_."`[\]]+\s*(?:;|$)/gim,
  },
  {
    id: 'chmod-777-root',
    label: 'makes the whole file system writable by everyone',
    severity: 'block',
    pattern: new RegExp(
      `\\bchmod\\s+(?:-[A-Za-z]+\\s+)*(?:0?777|a\\+rwx|ugo\\+rwx)\\s+\\/${END_OF_ARGUMENT}`,
      'g',
    ),
  },
  {
    id: 'chmod-777',
    label: 'makes files writable by everyone',
    severity: 'warn',
    pattern: /\bchmod\s+(?:-[A-Za-z]+\s+)*(?:0?777|a\+rwx|ugo\+rwx)\b/g,
  },
  {
    id: 'pipe-to-shell',
    label: 'runs a downloaded script without looking at it',
    severity: 'warn',
    pattern:
      /\b(?:curl|wget|fetch)\b[^\n|]{0,300}\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:ba|z|da|k|fi)?sh\b|\b(?:curl|wget)\b[^\n|]{0,300}\|\s*(?:sudo\s+)?(?:python3?|perl|ruby|node)\b|\b(?:ba|z)?sh\s+<\(\s*(?:curl|wget)\b|\b(?:iex|Invoke-Expression)\b[^\n]{0,300}\b(?:iwr|irm|Invoke-WebRequest|Invoke-RestMethod|DownloadString)\b/gi,
  },
  {
    id: 'decode-to-shell',
    label: 'runs hidden (encoded) commands',
    severity: 'warn',
    pattern: /\bbase64\s+(?:-d|--decode|-D)\b[^\n|]{0,300}\|\s*(?:sudo\s+)?(?:ba|z)?sh\b/gi,
  },
  {
    id: 'tls-verification-disabled',
    label: 'turns off TLS certificate verification',
    severity: 'warn',
    pattern:
      /\brejectUnauthorized\s*:\s*false\b|\bNODE_TLS_REJECT_UNAUTHORIZED\s*=\s*["']?0\b|\bverify\s*=\s*False\b|\bInsecureSkipVerify\s*:\s*true\b|\bCURLOPT_SSL_VERIFY(?:PEER|HOST)\s*,\s*(?:0|false)\b|\bssl\._create_unverified_context\b|--no-check-certificate\b|\bcurl\b[^\n]{0,300}\s(?:--insecure\b|-(?!-)[A-Za-z]*k[A-Za-z]*(?=\s|$))|\bhttp\.sslVerify\s+false\b|\bstrict-ssl\s+false\b|\bPYTHONHTTPSVERIFY\s*=\s*0\b/gi,
  },
  {
    id: 'overwrite-system-file',
    label: 'overwrites a system account or sudo file',
    severity: 'block',
    pattern: />\s*\/etc\/(?:passwd|shadow|sudoers|group)\b/g,
  },
  {
    id: 'disable-firewall',
    label: 'turns off the firewall or SELinux',
    severity: 'warn',
    pattern:
      /\bufw\s+disable\b|\biptables\s+(?:-F|--flush)\b|\bsetenforce\s+0\b|\bsystemctl\s+(?:stop|disable)\s+firewalld\b/g,
  },
  {
    id: 'kill-everything',
    label: 'kills every process the user may kill',
    severity: 'warn',
    pattern: /\bkill\s+-(?:9|KILL)\s+-1\b|\bkillall5\b/g,
  },
  {
    id: 'crontab-remove',
    label: 'deletes every scheduled job of the user',
    severity: 'warn',
    pattern: /\bcrontab\s+-r\b/g,
  },
  {
    id: 'force-push',
    label: 'rewrites shared git history',
    severity: 'info',
    pattern: /\bgit\s+push\b[^\n]{0,300}\s(?:--force\b|-f\b)/g,
  },
] satisfies DangerRule[]);
