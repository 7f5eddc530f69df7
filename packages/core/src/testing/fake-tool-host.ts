import type { JsonObject, JsonValue } from '../contracts/json.ts';
import type {
  ToolCallOutcome,
  ToolCallRequest,
  ToolContext,
  ToolDefinition,
  ToolHost,
} from '../contracts/tools.ts';

/** A tool of a {@link FakeToolHost}: a definition and a function. */
export interface FakeTool {
  description?: string;
  inputSchema?: JsonObject;
  execute(input: JsonValue, context: ToolContext): JsonValue | Promise<JsonValue>;
}

/**
 * A tool host over plain functions, for tests and benchmarks. Unknown tools are denied,
 * like the real pipeline does; a throwing tool becomes an error outcome.
 */
export class FakeToolHost implements ToolHost {
  readonly calls: ToolCallRequest[] = [];
  readonly #tools: Map<string, FakeTool>;

  constructor(tools: Record<string, FakeTool> = {}) {
    this.#tools = new Map(Object.entries(tools));
  }

  async listTools(): Promise<ToolDefinition[]> {
    return [...this.#tools].map(([name, tool]) => ({
      name,
      description: tool.description ?? name,
      inputSchema: tool.inputSchema ?? { type: 'object', properties: {} },
    }));
  }

  async call(request: ToolCallRequest, context: ToolContext): Promise<ToolCallOutcome> {
    this.calls.push(request);
    const tool = this.#tools.get(request.toolName);
    if (tool === undefined)
      return { status: 'denied', reason: `tool "${request.toolName}" is not registered` };
    try {
      return { status: 'ok', output: await tool.execute(request.input, context) };
    } catch (error) {
      return { status: 'error', error: { error: error instanceof Error ? error.message : String(error) } };
    }
  }
}
