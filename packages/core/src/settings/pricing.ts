/** Model prices: the built-in, editable defaults and the lookup used to cost token usage. */
import { z } from 'zod';
import type { ModelPrice } from '../contracts/model.ts';

/** The price of one model in US dollars per million tokens. */
export const modelPriceSchema = z.strictObject({
  inputPerMillion: z.number().min(0).max(10_000).describe('US dollars per million input tokens.'),
  outputPerMillion: z.number().min(0).max(10_000).describe('US dollars per million output tokens.'),
}) satisfies z.ZodType<ModelPrice>;

/**
 * List prices (USD per million tokens, standard tier, short prompts) of a few well-known
 * models, as published by OpenAI, Anthropic and Google in 2025. They are **editable
 * defaults**, not a price feed: providers change prices, so override or extend them with
 * `aether config set agents.pricing.<provider:model> '{"inputPerMillion":…,"outputPerMillion":…}'`.
 * Local and self-hosted providers (see {@link ZERO_PRICE_PROVIDERS}) cost 0 unless set.
 */
export const DEFAULT_MODEL_PRICING: Readonly<Record<string, Readonly<ModelPrice>>> = Object.freeze({
  'openai:gpt-5': { inputPerMillion: 1.25, outputPerMillion: 10 },
  'openai:gpt-5-mini': { inputPerMillion: 0.25, outputPerMillion: 2 },
  'openai:gpt-5-nano': { inputPerMillion: 0.05, outputPerMillion: 0.4 },
  'openai:gpt-4.1': { inputPerMillion: 2, outputPerMillion: 8 },
  'openai:gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6 },
  'openai:gpt-4.1-nano': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
  'openai:gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 },
  'openai:gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 },
  'openai:o3': { inputPerMillion: 2, outputPerMillion: 8 },
  'openai:o4-mini': { inputPerMillion: 1.1, outputPerMillion: 4.4 },
  'anthropic:claude-opus-4-1': { inputPerMillion: 15, outputPerMillion: 75 },
  'anthropic:claude-opus-4-0': { inputPerMillion: 15, outputPerMillion: 75 },
  'anthropic:claude-sonnet-4-5': { inputPerMillion: 3, outputPerMillion: 15 },
  'anthropic:claude-sonnet-4-0': { inputPerMillion: 3, outputPerMillion: 15 },
  'anthropic:claude-3-7-sonnet-latest': { inputPerMillion: 3, outputPerMillion: 15 },
  'anthropic:claude-haiku-4-5': { inputPerMillion: 1, outputPerMillion: 5 },
  'anthropic:claude-3-5-haiku-latest': { inputPerMillion: 0.8, outputPerMillion: 4 },
  'google:gemini-2.5-pro': { inputPerMillion: 1.25, outputPerMillion: 10 },
  'google:gemini-2.5-flash': { inputPerMillion: 0.3, outputPerMillion: 2.5 },
  'google:gemini-2.5-flash-lite': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
  'google:gemini-2.0-flash': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
});

/** Providers that run on the user's own hardware or endpoint: priced 0 unless `pricing` names the model. */
export const ZERO_PRICE_PROVIDERS: readonly string[] = Object.freeze(['ollama', 'openai-compatible']);

/**
 * The price of a model id in a pricing table (normally `settings.agents.pricing`):
 * the exact id, else the longest priced id that the id extends with `-…` (so a dated
 * snapshot `anthropic:claude-sonnet-4-5-20250929` costs what `anthropic:claude-sonnet-4-5`
 * costs), else 0 for {@link ZERO_PRICE_PROVIDERS}, else `undefined` (unknown price: the
 * caller should record the usage and say the cost is unknown).
 *
 * @example
 * lookupModelPrice(settings.agents.pricing, 'openai:gpt-4o-mini-2024-07-18'); // { inputPerMillion: 0.15, … }
 */
export function lookupModelPrice(
  pricing: Readonly<Record<string, ModelPrice>>,
  modelId: string,
): ModelPrice | undefined {
  const exact = Object.hasOwn(pricing, modelId) ? pricing[modelId] : undefined;
  if (exact !== undefined) return { ...exact };
  let best: string | undefined;
  for (const id of Object.keys(pricing)) {
    if (modelId.startsWith(`${id}-`) && (best === undefined || id.length > best.length)) best = id;
  }
  const prefixed = best === undefined ? undefined : pricing[best];
  if (prefixed !== undefined) return { ...prefixed };
  const provider = modelId.slice(0, Math.max(0, modelId.indexOf(':')));
  if (ZERO_PRICE_PROVIDERS.includes(provider)) return { inputPerMillion: 0, outputPerMillion: 0 };
  return undefined;
}
