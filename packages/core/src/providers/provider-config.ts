import type { ProviderName } from './model-id.ts';

/** Connection details of one provider. */
export interface ProviderConnection {
  apiKey?: string;
  baseURL?: string;
  /** The model used when a model id is needed but none is configured. */
  defaultModel?: string;
}

/** Which providers are usable and how to reach them. Built by the app, never read from globals. */
export type ProviderConfig = Partial<Record<ProviderName, ProviderConnection>>;

/** Environment variables, as `process.env` shapes them. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The default Ollama address; used when `OLLAMA_BASE_URL` is unset and a server answers there. */
export const DEFAULT_OLLAMA_BASE_URL = 'http://localhost:11434';

/** Built-in default model per provider, used when settings name none. */
export const DEFAULT_MODELS: Readonly<Record<ProviderName, string | undefined>> = {
  openai: 'gpt-4.1-mini',
  anthropic: 'claude-sonnet-4-5',
  google: 'gemini-2.5-flash',
  ollama: undefined,
  'openai-compatible': undefined,
};

/**
 * What to set to configure each provider, for the "no provider" message. Kept next to the
 * code that reads the variables so the two cannot drift.
 */
export const PROVIDER_VARIABLES: Readonly<Record<ProviderName, string>> = {
  openai: 'OPENAI_API_KEY (optionally OPENAI_BASE_URL)',
  anthropic: 'ANTHROPIC_API_KEY (optionally ANTHROPIC_BASE_URL)',
  google: 'GOOGLE_GENERATIVE_AI_API_KEY or GEMINI_API_KEY',
  ollama: 'OLLAMA_BASE_URL (default http://localhost:11434, used when it answers)',
  'openai-compatible': 'OPENAI_COMPATIBLE_BASE_URL (+ OPENAI_COMPATIBLE_API_KEY, OPENAI_COMPATIBLE_MODEL)',
};

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/**
 * Reads the usual provider variables from `env`. Ollama is included only when
 * `OLLAMA_BASE_URL` is set; detecting a server at the default address is the app's job
 * (see {@link detectOllama}), because it needs a network probe.
 */
export function providerConfigFromEnvironment(env: Environment): ProviderConfig {
  const config: ProviderConfig = {};
  const openaiKey = nonEmpty(env['OPENAI_API_KEY']);
  if (openaiKey !== undefined) {
    config.openai = withOptional({ apiKey: openaiKey }, nonEmpty(env['OPENAI_BASE_URL']));
  }
  const anthropicKey = nonEmpty(env['ANTHROPIC_API_KEY']);
  if (anthropicKey !== undefined) {
    config.anthropic = withOptional({ apiKey: anthropicKey }, nonEmpty(env['ANTHROPIC_BASE_URL']));
  }
  const googleKey = nonEmpty(env['GOOGLE_GENERATIVE_AI_API_KEY']) ?? nonEmpty(env['GEMINI_API_KEY']);
  if (googleKey !== undefined) {
    config.google = withOptional({ apiKey: googleKey }, nonEmpty(env['GOOGLE_GENERATIVE_AI_BASE_URL']));
  }
  const ollamaUrl = nonEmpty(env['OLLAMA_BASE_URL']);
  if (ollamaUrl !== undefined) {
    config.ollama = withModel({ baseURL: ollamaUrl }, nonEmpty(env['OLLAMA_MODEL']));
  }
  const compatibleUrl = nonEmpty(env['OPENAI_COMPATIBLE_BASE_URL']);
  if (compatibleUrl !== undefined) {
    const connection: ProviderConnection = { baseURL: compatibleUrl };
    const key = nonEmpty(env['OPENAI_COMPATIBLE_API_KEY']);
    if (key !== undefined) connection.apiKey = key;
    config['openai-compatible'] = withModel(connection, nonEmpty(env['OPENAI_COMPATIBLE_MODEL']));
  }
  return config;
}

function withOptional(connection: ProviderConnection, baseURL: string | undefined): ProviderConnection {
  if (baseURL !== undefined) connection.baseURL = baseURL;
  return connection;
}

function withModel(connection: ProviderConnection, model: string | undefined): ProviderConnection {
  if (model !== undefined) connection.defaultModel = model;
  return connection;
}

/**
 * Asks an Ollama server for its models. Returns the model names when it answers within
 * `timeoutMs`, `undefined` when nothing answers (no error: Ollama is optional).
 */
export async function detectOllama(baseURL: string, timeoutMs = 300): Promise<string[] | undefined> {
  try {
    const response = await fetch(new URL('/api/tags', baseURL), { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { models?: Array<{ name?: unknown }> };
    return (body.models ?? []).flatMap((model) => (typeof model.name === 'string' ? [model.name] : []));
  } catch {
    return undefined;
  }
}
