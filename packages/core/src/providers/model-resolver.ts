import type { LanguageModel, ModelResolver, ResolvedModel } from '../contracts/model.ts';
import { AetherError } from '../errors.ts';
import { KNOWN_PROVIDERS, type ProviderName, parseModelId } from './model-id.ts';
import {
  DEFAULT_MODELS,
  PROVIDER_VARIABLES,
  type ProviderConfig,
  type ProviderConnection,
} from './provider-config.ts';

type ModelFactory = (modelName: string) => LanguageModel;

/**
 * Loads the AI SDK provider package for one provider. Imported on demand so a run that
 * uses one provider does not pay the start-up cost of the others.
 */
async function loadFactory(provider: ProviderName, connection: ProviderConnection): Promise<ModelFactory> {
  switch (provider) {
    case 'openai': {
      const { createOpenAI } = await import('@ai-sdk/openai');
      const openai = createOpenAI(settings(connection));
      // Chat completions is the API every OpenAI-compatible server also speaks.
      return (name) => openai.chat(name);
    }
    case 'anthropic': {
      const { createAnthropic } = await import('@ai-sdk/anthropic');
      const anthropic = createAnthropic(settings(connection));
      return (name) => anthropic.languageModel(name);
    }
    case 'google': {
      const { createGoogleGenerativeAI } = await import('@ai-sdk/google');
      const google = createGoogleGenerativeAI(settings(connection));
      return (name) => google.languageModel(name);
    }
    case 'ollama': {
      const { createOllama } = await import('ollama-ai-provider-v2');
      const base = (connection.baseURL ?? 'http://localhost:11434').replace(/\/+$/, '');
      const ollama = createOllama({ baseURL: `${base}/api` });
      return (name) => ollama.languageModel(name);
    }
    case 'openai-compatible': {
      const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
      const compatible = createOpenAICompatible({
        name: 'openai-compatible',
        baseURL: connection.baseURL ?? '',
        ...(connection.apiKey === undefined ? {} : { apiKey: connection.apiKey }),
        includeUsage: true,
      });
      return (name) => compatible.chatModel(name);
    }
  }
}

function settings(connection: ProviderConnection): { apiKey?: string; baseURL?: string } {
  const result: { apiKey?: string; baseURL?: string } = {};
  if (connection.apiKey !== undefined) result.apiKey = connection.apiKey;
  if (connection.baseURL !== undefined) result.baseURL = connection.baseURL;
  return result;
}

/** The message for a run that has no provider to call. */
export function noProviderMessage(): string {
  const lines = KNOWN_PROVIDERS.map((provider) => `  ${provider}: ${PROVIDER_VARIABLES[provider]}`);
  return `no model provider is configured; set one of:\n${lines.join('\n')}`;
}

/**
 * A {@link ModelResolver} over the AI SDK providers in `config`. Only configured providers
 * are loaded.
 *
 * @example
 * const resolver = await createModelResolver(providerConfigFromEnvironment(process.env));
 * const { model } = resolver.resolve('openai:gpt-4.1-mini');
 */
export async function createModelResolver(config: ProviderConfig): Promise<ModelResolver & ModelDefaults> {
  const factories = new Map<ProviderName, ModelFactory>();
  await Promise.all(
    KNOWN_PROVIDERS.map(async (provider) => {
      const connection = config[provider];
      if (connection !== undefined) factories.set(provider, await loadFactory(provider, connection));
    }),
  );
  const cache = new Map<string, ResolvedModel>();
  return {
    configuredProviders: () => KNOWN_PROVIDERS.filter((provider) => factories.has(provider)),
    defaultModelIds: () =>
      KNOWN_PROVIDERS.flatMap((provider) => {
        if (!factories.has(provider)) return [];
        const name = config[provider]?.defaultModel ?? DEFAULT_MODELS[provider];
        return name === undefined ? [] : [`${provider}:${name}`];
      }),
    resolve(id: string): ResolvedModel {
      const cached = cache.get(id);
      if (cached !== undefined) return cached;
      const { provider, modelName } = parseModelId(id);
      const factory = factories.get(provider);
      if (factory === undefined) {
        throw new AetherError(
          'PROVIDER_NOT_CONFIGURED',
          `model "${id}" needs provider "${provider}", which is not configured`,
          {
            category: 'user',
            hint: `set ${PROVIDER_VARIABLES[provider]}`,
          },
        );
      }
      const resolved: ResolvedModel = { id, provider, modelName, model: factory(modelName) };
      cache.set(id, resolved);
      return resolved;
    },
  };
}

/** Default model ids of the configured providers, in provider order. */
export interface ModelDefaults {
  defaultModelIds(): string[];
}
