import type { LanguageModelV4ToolResultPart } from '@ai-sdk/provider';
import type { AgentDefinition } from '../contracts/agent.ts';
import type { JsonObject } from '../contracts/json.ts';
import type {
  ToolCallOutcome,
  ToolCallRequest,
  ToolContext,
  ToolDefinition,
  ToolHost,
} from '../contracts/tools.ts';
import { runAgentLoop } from '../engine/agent-loop.ts';
import type { Conversation } from '../engine/turn-preparation.ts';
import type { RunContext } from './run-context.ts';

/** The tool a delegating agent calls to hand the conversation over. */
export const TRANSFER_TOOL = 'transfer_to';

/** What a delegation run produced. */
export interface DelegationResult {
  answer: string;
  chain: string[];
}

function transferTool(targets: readonly AgentDefinition[]): ToolDefinition {
  return {
    name: TRANSFER_TOOL,
    description: `Hand this conversation to a teammate better placed to answer. Teammates: ${targets
      .map((agent) => `${agent.id} (${agent.capabilities.join(', ')})`)
      .join('; ')}.`,
    inputSchema: {
      type: 'object',
      properties: {
        agent: { type: 'string', enum: targets.map((agent) => agent.id) },
        reason: { type: 'string', description: 'why this teammate should take over' },
      },
      required: ['agent', 'reason'],
      additionalProperties: false,
    },
  };
}

/** Adds `transfer_to` to a tool host; every other tool goes to `base`. */
function withTransfer(
  base: ToolHost,
  targets: readonly AgentDefinition[],
  decide: (input: JsonObject) => ToolCallOutcome,
): ToolHost {
  return {
    async listTools(context: ToolContext) {
      const tools = context.allowedTools.length === 0 ? [] : await base.listTools(context);
      return targets.length === 0 ? tools : [...tools, transferTool(targets)];
    },
    async call(request: ToolCallRequest, context: ToolContext) {
      if (request.toolName !== TRANSFER_TOOL) return base.call(request, context);
      const input = request.input;
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        return {
          status: 'error',
          error: { error: 'arguments must be an object', expected: '{"agent","reason"}' },
        };
      }
      return decide(input);
    },
  };
}

/** The last messages of a conversation as plain text, for the agent taking over. */
function carriedContext(conversation: Conversation, count: number): string {
  const lines: string[] = [];
  for (const message of conversation.slice(-count)) {
    if (message.role === 'system') continue;
    for (const part of message.content) {
      if (part.type === 'text') lines.push(`${message.role}: ${part.text}`);
      else if (part.type === 'tool-call')
        lines.push(`${message.role} called ${part.toolName}(${JSON.stringify(part.input)})`);
      else if (part.type === 'tool-result' && part.toolName !== TRANSFER_TOOL) {
        lines.push(`tool ${part.toolName} returned ${JSON.stringify(part.output).slice(0, 500)}`);
      }
    }
  }
  return lines.join('\n');
}

function transferIn(
  parts: readonly LanguageModelV4ToolResultPart[],
): { to: string; reason: string } | undefined {
  for (const part of parts) {
    if (part.toolName !== TRANSFER_TOOL || part.output.type !== 'json') continue;
    const value = part.output.value as { transferred?: unknown; reason?: unknown };
    if (typeof value.transferred === 'string')
      return { to: value.transferred, reason: String(value.reason ?? '') };
  }
  return undefined;
}

/**
 * Delegation mode: the lead answers or hands the conversation to a `delegate` member with
 * `transfer_to`, carrying the recent messages; that member may hand it on. A handoff to an
 * agent already in the chain is blocked (no cycles) and the chain stops at
 * `handoff.maxChainLength`; both are `handoff.blocked` events and readable tool results.
 * Each agent's loop is checkpointed, so a resumed run replays the handoffs already made.
 */
export async function runDelegation(
  context: RunContext,
  lead: AgentDefinition,
  delegates: readonly AgentDefinition[],
): Promise<DelegationResult> {
  const { maxChainLength, carryMessages } = context.settings.handoff;
  const chain = [lead.id];
  let current = lead;
  let conversation: Conversation = [
    { role: 'system', content: lead.systemPrompt },
    { role: 'user', content: [{ type: 'text', text: context.goal }] },
  ];
  for (let hop = 0; ; hop++) {
    const from = current;
    const targets = delegates.filter((agent) => agent.id !== from.id);
    const host = withTransfer(context.tools, targets, (input) => {
      const to = String(input['agent'] ?? '');
      const reason = String(input['reason'] ?? '');
      const blocked = (why: string): ToolCallOutcome => {
        context.journal.emit({ type: 'handoff.blocked', from: from.id, to, reason: why, chain: [...chain] });
        return { status: 'error', error: { error: `handoff refused: ${why}`, chain: [...chain] } };
      };
      if (chain.includes(to))
        return blocked(`${to} is already in the chain (${chain.join(' → ')}); no handing back`);
      if (!targets.some((agent) => agent.id === to)) return blocked(`"${to}" is not a delegate of this team`);
      if (chain.length >= maxChainLength)
        return blocked(`the chain is at handoff.maxChainLength (${maxChainLength})`);
      context.journal.emit({ type: 'handoff', from: from.id, to, reason, chain: [...chain, to] });
      return { status: 'ok', output: { transferred: to, reason } };
    });
    let transfer: { to: string; reason: string } | undefined;
    const result = await runAgentLoop({
      tenantId: context.tenantId,
      runId: context.journal.runId,
      agent: from,
      models: context.modelsFor(from),
      conversation,
      tools: host,
      journal: context.journal,
      prices: context.prices,
      clock: context.clock,
      limits: context.limitsFor(from),
      signal: context.signal,
      stepPrefix: `handoff/${hop}/${from.id}`,
      checkpoints: context.checkpoints,
      hooks: context.hooksFor(from, {
        toolContext: {
          allowedTools: [...from.tools, ...(targets.length > 0 ? [TRANSFER_TOOL] : [])],
          preApprovedTools: context.preApprovedTools,
          approveWrites: context.approveWrites,
        },
        stopAfterTools: (parts) => {
          transfer = transferIn(parts);
          return transfer === undefined ? undefined : `transferred to ${transfer.to}`;
        },
      }),
    });
    if (transfer === undefined) return { answer: result.text, chain };
    const next = delegates.find((agent) => agent.id === transfer?.to);
    if (next === undefined) return { answer: result.text, chain };
    chain.push(next.id);
    conversation = [
      { role: 'system', content: next.systemPrompt },
      {
        role: 'user',
        content: [
          {
            type: 'text',
            text: [
              `${from.id} handed this conversation to you: ${transfer.reason}`,
              `Original request: ${context.goal}`,
              `Recent conversation:\n${carriedContext(conversation, carryMessages)}`,
            ].join('\n\n'),
          },
        ],
      },
    ];
    current = next;
  }
}
