import { agentDefinitionSchema, teamDefinitionSchema } from '@aether/core';
import { z } from 'zod';

/** A JSON Schema object (as route schemas and OpenAPI use them). */
export type JsonSchema = Record<string, unknown>;

/** A closed object: unknown fields are refused with a message naming them. */
export function object(properties: Record<string, JsonSchema>, required: readonly string[] = []): JsonSchema {
  return { type: 'object', properties, required: [...required], additionalProperties: false };
}

/** A string with optional limits. */
export function string(
  options: {
    minLength?: number;
    maxLength?: number;
    pattern?: string;
    description?: string;
    enum?: readonly string[];
  } = {},
): JsonSchema {
  return { type: 'string', ...options, ...(options.enum === undefined ? {} : { enum: [...options.enum] }) };
}

/** An integer in a range. */
export function integer(minimum: number, maximum: number, description?: string): JsonSchema {
  return { type: 'integer', minimum, maximum, ...(description === undefined ? {} : { description }) };
}

/** Any JSON object, passed through as is (definitions validated by their own schema). */
export const anyObject: JsonSchema = { type: 'object', additionalProperties: true };

/** `:id` of a resource. */
export const idParams: JsonSchema = object({ id: string({ minLength: 1, maxLength: 200 }) }, ['id']);

/** A role. */
export const roleSchema: JsonSchema = string({ enum: ['owner', 'admin', 'member', 'viewer'] });

/** The error answer. */
export const errorResponse: JsonSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, hint: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
};

/** A run as the API shows it. */
export const runResponse: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled'] },
    goal: { type: 'string' },
    answer: { type: ['string', 'null'] },
    error: {
      anyOf: [
        { type: 'null' },
        { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
      ],
    },
    team: { type: ['string', 'null'] },
    agent: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    finishedAt: { type: ['string', 'null'] },
  },
  required: ['id', 'status', 'goal', 'answer'],
};

function fromZod(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, {
    target: 'draft-07',
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  return json;
}

/** An agent definition, derived from core's zod schema (one source of truth). */
export const agentDefinitionJsonSchema: JsonSchema = fromZod(agentDefinitionSchema);

/** A team definition, derived from core's zod schema. */
export const teamDefinitionJsonSchema: JsonSchema = fromZod(teamDefinitionSchema);
