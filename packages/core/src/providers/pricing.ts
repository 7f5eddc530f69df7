import type { ModelPrice } from '../contracts/model.ts';
import { lookupModelPrice } from '../settings/pricing.ts';

/**
 * Cost in US dollars of one call, with the price found by {@link lookupModelPrice} (exact
 * id, then a dated variant of a listed id). A model with no known price costs 0.
 */
export function costOf(
  prices: Readonly<Record<string, ModelPrice>>,
  modelId: string,
  inputTokens: number,
  outputTokens: number,
): number {
  const price = lookupModelPrice(prices, modelId);
  if (price === undefined) return 0;
  return (inputTokens * price.inputPerMillion + outputTokens * price.outputPerMillion) / 1_000_000;
}
