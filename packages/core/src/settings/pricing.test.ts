import { describe, expect, it } from 'vitest';
import { MODEL_ID_PATTERN } from './model-id.ts';
import { DEFAULT_MODEL_PRICING, lookupModelPrice, modelPriceSchema } from './pricing.ts';

describe('lookupModelPrice', () => {
  const pricing = {
    ...DEFAULT_MODEL_PRICING,
    'ollama:llama3.1:70b': { inputPerMillion: 0.5, outputPerMillion: 0.5 },
  };

  it('finds the exact id, then the longest id the model extends with "-"', () => {
    expect(lookupModelPrice(pricing, 'openai:gpt-4o')).toEqual({
      inputPerMillion: 2.5,
      outputPerMillion: 10,
    });
    expect(lookupModelPrice(pricing, 'openai:gpt-4o-mini-2024-07-18')).toEqual({
      inputPerMillion: 0.15,
      outputPerMillion: 0.6,
    });
    expect(lookupModelPrice(pricing, 'anthropic:claude-sonnet-4-5-20250929')).toEqual({
      inputPerMillion: 3,
      outputPerMillion: 15,
    });
    expect(lookupModelPrice(pricing, 'openai:gpt-4oz')).toBeUndefined();
  });

  it('prices local and self-hosted providers at 0 unless listed', () => {
    expect(lookupModelPrice(pricing, 'ollama:llama3.2:3b')).toEqual({
      inputPerMillion: 0,
      outputPerMillion: 0,
    });
    expect(lookupModelPrice(pricing, 'openai-compatible:qwen')).toEqual({
      inputPerMillion: 0,
      outputPerMillion: 0,
    });
    expect(lookupModelPrice(pricing, 'ollama:llama3.1:70b')).toEqual({
      inputPerMillion: 0.5,
      outputPerMillion: 0.5,
    });
  });

  it('returns a copy', () => {
    const price = lookupModelPrice(pricing, 'openai:gpt-4o');
    if (price) price.inputPerMillion = 100;
    expect(DEFAULT_MODEL_PRICING['openai:gpt-4o']?.inputPerMillion).toBe(2.5);
  });

  it('has only valid defaults', () => {
    for (const [id, price] of Object.entries(DEFAULT_MODEL_PRICING)) {
      expect(id).toMatch(MODEL_ID_PATTERN);
      expect(modelPriceSchema.parse(price)).toEqual(price);
    }
  });
});
