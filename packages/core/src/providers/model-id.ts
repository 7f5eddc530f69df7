import { AetherError } from '../errors.ts';

/** The providers Aether knows, by the prefix of a model id. */
export const KNOWN_PROVIDERS = ['openai', 'anthropic', 'google', 'ollama', 'openai-compatible'] as const;

/** A provider Aether knows. */
export type ProviderName = (typeof KNOWN_PROVIDERS)[number];

/** A model id split into its parts. */
export interface ModelId {
  provider: ProviderName;
  modelName: string;
}

/** True when `name` is one of {@link KNOWN_PROVIDERS}. */
export function isProviderName(name: string): name is ProviderName {
  return (KNOWN_PROVIDERS as readonly string[]).includes(name);
}

/**
 * Splits `provider:model` (e.g. `openai:gpt-4.1-mini`, `ollama:llama3.2:3b`; only the first
 * colon separates). Throws `INVALID_MODEL_ID` or `UNKNOWN_PROVIDER` naming the id.
 */
export function parseModelId(id: string): ModelId {
  const colon = id.indexOf(':');
  if (colon <= 0 || colon === id.length - 1) {
    throw new AetherError(
      'INVALID_MODEL_ID',
      `invalid model id "${id}": expected "provider:model", e.g. "openai:gpt-4.1-mini"`,
      { category: 'user', hint: `providers: ${KNOWN_PROVIDERS.join(', ')}` },
    );
  }
  const provider = id.slice(0, colon);
  const modelName = id.slice(colon + 1);
  if (!isProviderName(provider)) {
    throw new AetherError(
      'UNKNOWN_PROVIDER',
      `unknown provider "${provider}" in model id "${id}": expected one of ${KNOWN_PROVIDERS.join(', ')}`,
      { category: 'user' },
    );
  }
  return { provider, modelName };
}
