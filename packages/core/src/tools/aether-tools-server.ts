import { z } from 'zod';
import type { JsonValue } from '../contracts/json.ts';
import type { KnowledgeBase, KnowledgeNamespace } from '../contracts/knowledge.ts';
import { KNOWLEDGE_NAMESPACES } from '../contracts/knowledge-store.ts';
import { describeError } from '../errors.ts';
import type { InProcessMcpServer } from './mcp-connection.ts';

/** The name of the server of Aether's own tools: its tools are `aether__<tool>`. */
export const AETHER_TOOL_SERVER = 'aether';

/** Who an own tool is working for, from the request's `_meta` (set by the tool manager). */
export interface OwnToolCaller {
  runId: string;
  agentId: string;
  stepId: string;
}

/** Asks the person running Aether a question and returns the answer (the terminal, later the web UI). */
export interface UserQuestioner {
  ask(question: string, caller: OwnToolCaller, signal: AbortSignal): Promise<string>;
}

/** The status a checklist item may be given by the agent working on it. */
export type ChecklistItemUpdateStatus = 'in_progress' | 'done' | 'blocked' | 'failed';

/** Updates the run's checklist (the plan); the orchestration engine implements it. */
export interface ChecklistUpdater {
  update(
    input: { itemId: string; status: ChecklistItemUpdateStatus; evidence?: string },
    caller: OwnToolCaller,
  ): Promise<JsonValue>;
}

/** What Aether's own tools can reach; a tool is offered only when what it needs is given. */
export interface AetherToolsOptions {
  knowledge?: KnowledgeBase;
  questioner?: UserQuestioner;
  checklist?: ChecklistUpdater;
}

/** Request `_meta` keys the tool manager sets on every call. */
export const META_KEYS = {
  runId: 'aether/runId',
  agentId: 'aether/agentId',
  stepId: 'aether/stepId',
  idempotencyKey: 'aether/idempotencyKey',
} as const;

function callerOf(meta: Record<string, unknown> | undefined): OwnToolCaller {
  const text = (key: string) => (typeof meta?.[key] === 'string' ? (meta[key] as string) : '');
  return { runId: text(META_KEYS.runId), agentId: text(META_KEYS.agentId), stepId: text(META_KEYS.stepId) };
}

function text(value: string) {
  return { content: [{ type: 'text' as const, text: value }] };
}

function failure(error: unknown) {
  return { content: [{ type: 'text' as const, text: describeError(error) }], isError: true };
}

/**
 * Aether's own tools as an in-process MCP server, reached through the same client, registry
 * and approval pipeline as external servers: `ask_user`, `update_checklist_item` and
 * `knowledge_search`, each only when what it needs is wired. Undefined when none is.
 */
export function createAetherToolServer(options: AetherToolsOptions): InProcessMcpServer | undefined {
  const { knowledge, questioner, checklist } = options;
  if (knowledge === undefined && questioner === undefined && checklist === undefined) return undefined;
  return {
    name: AETHER_TOOL_SERVER,
    // They change only Aether's own run state (or ask the person), never the outside world.
    readOnlyTools: ['ask_user', 'update_checklist_item', 'knowledge_search'],
    async create() {
      // Loaded when a run first needs the tools, like the MCP client (mcp-connection.ts).
      const { McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js');
      const server = new McpServer({ name: 'aether', version: '0.1.0' });
      if (questioner !== undefined) {
        server.registerTool(
          'ask_user',
          {
            description:
              'Ask the person who started the run a question and wait for the answer. Use it only when the goal is ambiguous in a way that changes the result.',
            inputSchema: { question: z.string().min(1).max(2_000).describe('One short, specific question.') },
            annotations: { readOnlyHint: true, openWorldHint: false },
          },
          async ({ question }, extra) => {
            try {
              return text(await questioner.ask(question, callerOf(extra._meta), extra.signal));
            } catch (error) {
              return failure(error);
            }
          },
        );
      }
      if (checklist !== undefined) {
        server.registerTool(
          'update_checklist_item',
          {
            description:
              'Report progress on your checklist item: its status and the evidence that it is done.',
            inputSchema: {
              itemId: z.string().min(1).describe('The id of the checklist item.'),
              status: z.enum(['in_progress', 'done', 'blocked', 'failed']),
              evidence: z
                .string()
                .max(10_000)
                .optional()
                .describe('What shows the status: results, files, sources.'),
            },
            annotations: {
              readOnlyHint: false,
              destructiveHint: false,
              idempotentHint: true,
              openWorldHint: false,
            },
          },
          async ({ itemId, status, evidence }, extra) => {
            try {
              const result = await checklist.update(
                { itemId, status, ...(evidence === undefined ? {} : { evidence }) },
                callerOf(extra._meta),
              );
              return text(typeof result === 'string' ? result : JSON.stringify(result));
            } catch (error) {
              return failure(error);
            }
          },
        );
      }
      if (knowledge !== undefined) {
        server.registerTool(
          'knowledge_search',
          {
            description:
              "Search the workspace's knowledge base (documents, code, past runs). Returns the best matching passages with their sources.",
            inputSchema: {
              query: z.string().min(1).max(2_000),
              namespaces: z
                .array(
                  z.enum(KNOWLEDGE_NAMESPACES as unknown as [KnowledgeNamespace, ...KnowledgeNamespace[]]),
                )
                .optional(),
              topK: z.number().int().min(1).max(50).optional(),
            },
            annotations: { readOnlyHint: true, openWorldHint: false },
          },
          async ({ query, namespaces, topK }, extra) => {
            try {
              const hits = await knowledge.search(query, {
                ...(namespaces === undefined ? {} : { namespaces }),
                ...(topK === undefined ? {} : { topK }),
                signal: extra.signal,
              });
              return text(JSON.stringify(hits));
            } catch (error) {
              return failure(error);
            }
          },
        );
      }
      return server;
    },
  };
}
