import type { ModelPrice } from '../contracts/model.ts';

/**
 * Cost in US dollars of one call. Prices are looked up by full id (`openai:gpt-4.1-mini`),
 * then by model name; an unknown model costs 0 (local models, or prices not configured).
 */
export function costOf(
  prices: Readonly<Record<string, ModelPrice>>,
  modelId: string,
  inputTokens: number,
  outputTokens: number,
): number {
  const price = prices[modelId] ?? prices[modelId.slice(modelId.indexOf(':') + 1)];
  if (price === undefined) return 0;
  return (inputTokens * price.inputPerMillion + outputTokens * price.outputPerMillion) / 1_000_000;
}
