import type { ModelResolver } from '../contracts/model.ts';
import { createModelResolver, type ModelDefaults } from './model-resolver.ts';
import {
  DEFAULT_OLLAMA_BASE_URL,
  detectOllama,
  type Environment,
  type ProviderConfig,
  providerConfigFromEnvironment,
} from './provider-config.ts';

/** Asks an OpenAI-compatible server for its first model, when none is configured. */
async function firstCompatibleModel(
  baseURL: string,
  apiKey: string | undefined,
): Promise<string | undefined> {
  try {
    const response = await fetch(`${baseURL.replace(/\/+$/, '')}/models`, {
      headers: apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` },
      signal: AbortSignal.timeout(2000),
    });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { data?: Array<{ id?: unknown }> };
    const id = body.data?.[0]?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The model resolver of a process (the CLI, a server, a worker), from the environment it is
 * given (`core` never reads `process.env` itself).
 * Probes only when needed: Ollama at its default address when nothing else is configured or
 * an `ollama:` model is asked for, and an OpenAI-compatible server's model list when no
 * model is named.
 */
export async function modelResolverFromEnvironment(
  env: Environment,
  requestedModels: readonly string[],
): Promise<ModelResolver & ModelDefaults> {
  const config: ProviderConfig = providerConfigFromEnvironment(env);
  const wantsOllama = requestedModels.some((id) => id.startsWith('ollama:'));
  if (config.ollama === undefined && (wantsOllama || Object.keys(config).length === 0)) {
    const models = await detectOllama(DEFAULT_OLLAMA_BASE_URL);
    if (models !== undefined) {
      config.ollama = { baseURL: DEFAULT_OLLAMA_BASE_URL };
      if (models[0] !== undefined) config.ollama.defaultModel = models[0];
    }
  } else if (config.ollama !== undefined && config.ollama.defaultModel === undefined && !wantsOllama) {
    const models = await detectOllama(config.ollama.baseURL ?? DEFAULT_OLLAMA_BASE_URL, 1000);
    if (models?.[0] !== undefined) config.ollama.defaultModel = models[0];
  }
  const compatible = config['openai-compatible'];
  if (
    compatible?.baseURL !== undefined &&
    compatible.defaultModel === undefined &&
    requestedModels.length === 0
  ) {
    const model = await firstCompatibleModel(compatible.baseURL, compatible.apiKey);
    if (model !== undefined) compatible.defaultModel = model;
  }
  return createModelResolver(config);
}
