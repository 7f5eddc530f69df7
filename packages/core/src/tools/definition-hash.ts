import { createHash } from 'node:crypto';
import type { JsonObject, JsonValue } from '../contracts/json.ts';

/** A tool as its server describes it: what the rug-pull hash covers. */
export interface McpToolDefinition {
  name: string;
  title?: string;
  description?: string;
  inputSchema: JsonObject;
  annotations?: JsonObject;
}

function canonical(value: JsonValue | undefined): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => canonical(item)).join(',')}]`;
  const keys = Object.keys(value)
    .filter((key) => value[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`;
}

/** The definition as a plain JSON object (what is stored with its hash). */
export function definitionJson(definition: McpToolDefinition): JsonObject {
  return {
    name: definition.name,
    ...(definition.title === undefined ? {} : { title: definition.title }),
    description: definition.description ?? '',
    inputSchema: definition.inputSchema,
    annotations: definition.annotations ?? {},
  };
}

/**
 * SHA-256 (hex) over the canonical JSON of a tool's name, title, description, input schema
 * and annotations: key order does not matter, any change of content does.
 */
export function definitionHash(definition: McpToolDefinition): string {
  return createHash('sha256')
    .update(canonical(definitionJson(definition)))
    .digest('hex');
}
