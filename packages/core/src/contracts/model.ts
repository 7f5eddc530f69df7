import type { LanguageModelV4 } from '@ai-sdk/provider';

/** A language model as the engine calls it: the AI SDK's provider specification (v4). */
export type LanguageModel = LanguageModelV4;

/** A model id (`provider:model`) resolved to a callable model. */
export interface ResolvedModel {
  /** The full id, e.g. `openai:gpt-4o-mini`. */
  id: string;
  /** The provider part of the id, e.g. `openai`. */
  provider: string;
  /** The model part of the id, e.g. `gpt-4o-mini`. */
  modelName: string;
  model: LanguageModel;
}

/**
 * Turns model ids into models. Throws `AetherError` with code `UNKNOWN_PROVIDER`,
 * `INVALID_MODEL_ID` or `PROVIDER_NOT_CONFIGURED` (naming the variables to set).
 */
export interface ModelResolver {
  resolve(id: string): ResolvedModel;
  /** Providers that have what they need to be called (keys or base URLs). */
  configuredProviders(): string[];
}

/** Prices of one model, in US dollars per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}
