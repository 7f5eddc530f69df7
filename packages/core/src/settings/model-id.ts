/** The `provider:model` id format shared by settings and agent files. */
import { z } from 'zod';

/**
 * A model id: a lowercase provider name, a colon, then the provider's model name (which may
 * itself hold colons, slashes and dots: `ollama:llama3.1:8b`, `openrouter:meta/llama-3`).
 */
export const MODEL_ID_PATTERN: RegExp = /^[a-z][a-z0-9-]*:\S+$/;

/** What a model id looks like, for error messages. */
export const MODEL_ID_EXPECTED = 'a model id "provider:model" such as "openai:gpt-4o-mini"';

/** A `provider:model` id. */
export const modelIdSchema: z.ZodString = z
  .string()
  .regex(MODEL_ID_PATTERN, MODEL_ID_EXPECTED)
  .meta({ expected: MODEL_ID_EXPECTED });
