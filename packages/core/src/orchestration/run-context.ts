import type { LanguageModelV4Prompt } from '@ai-sdk/provider';
import type { AgentRegistry } from '../agents/agent-registry.ts';
import type { AgentDefinition } from '../contracts/agent.ts';
import type { Clock } from '../contracts/clock.ts';
import type { KnowledgeBase } from '../contracts/knowledge.ts';
import type { ModelPrice, ResolvedModel } from '../contracts/model.ts';
import type { ChecklistOutcome } from '../contracts/store.ts';
import type { ToolHost } from '../contracts/tools.ts';
import type { AgentLoopHooks, AgentLoopLimits } from '../engine/agent-loop.ts';
import { AetherError } from '../errors.ts';
import type { RunJournal } from '../events/event-journal.ts';
import { inspectInput, inspectOutput } from '../guards/index.ts';
import type { Settings } from '../settings/settings-schema.ts';
import type { CircuitBreaker } from './circuit-breaker.ts';
import type { LoopDetector, RunBudget } from './progress.ts';
import type { JournalCheckpoints } from './step-checkpoints.ts';

/** Facts about entities a goal names, from the knowledge base's entity memory. */
export interface GoalMemory {
  factsForGoal(goal: string): Promise<string[]>;
}

/** Everything the steps of one run share. Built by {@link executeRun}; one per run. */
export interface RunContext {
  readonly tenantId: string;
  readonly goal: string;
  readonly journal: RunJournal;
  readonly checkpoints: JournalCheckpoints;
  readonly settings: Settings;
  readonly registry: AgentRegistry;
  readonly tools: ToolHost;
  readonly knowledge: KnowledgeBase;
  readonly memory: GoalMemory | undefined;
  readonly clock: Clock;
  readonly prices: Readonly<Record<string, ModelPrice>>;
  readonly signal: AbortSignal;
  readonly budget: RunBudget;
  readonly breakers: CircuitBreaker;
  readonly loops: LoopDetector;
  /** Tools the run's team may use without asking. */
  readonly preApprovedTools: readonly string[];
  /** Tool globs approved for writes when the run started (`--approve-writes`). */
  readonly approveWrites: readonly string[];
  modelsFor(agent: AgentDefinition): readonly ResolvedModel[];
  limitsFor(agent: AgentDefinition): AgentLoopLimits;
  /** Recent item outcomes across runs, for routing by past success. */
  history(): Promise<ChecklistOutcome[]>;
  /** Runs the input guard over a prompt: redacts, flags, or blocks (throws `GUARD_BLOCKED`). */
  guardPrompt(
    prompt: LanguageModelV4Prompt,
    step: { agentId: string; stepId: string },
  ): LanguageModelV4Prompt;
  /** The hooks of an agent loop of this run: guards, budget, loop detection. */
  hooksFor(agent: AgentDefinition, extra?: Partial<AgentLoopHooks>): AgentLoopHooks;
}

/** Builds the guard, budget and loop-detection parts of a {@link RunContext}. */
export function guardAndProgressHooks(
  context: Pick<
    RunContext,
    'journal' | 'settings' | 'budget' | 'loops' | 'preApprovedTools' | 'approveWrites'
  >,
): Pick<RunContext, 'guardPrompt' | 'hooksFor'> {
  const guardPrompt = (prompt: LanguageModelV4Prompt, step: { agentId: string; stepId: string }) => {
    const inspected = inspectInput(prompt, { maxInputChars: context.settings.conversation.maxInputChars });
    for (const finding of inspected.findings) {
      if (finding.severity === 'block') {
        context.journal.emit({
          type: 'guard.blocked',
          stepId: step.stepId,
          kind: finding.kind,
          message: finding.message,
        });
        throw new AetherError('GUARD_BLOCKED', `the call of ${step.stepId} was blocked: ${finding.message}`, {
          category: 'user',
        });
      }
      context.journal.emit({
        type: 'guard.flagged',
        stepId: step.stepId,
        kind: finding.kind,
        severity: finding.severity,
        message: finding.message,
      });
    }
    return inspected.prompt;
  };
  return {
    guardPrompt,
    hooksFor(agent, extra = {}) {
      return {
        beforeModelCall: guardPrompt,
        afterModelStep(info) {
          if (!info.replayed) {
            for (const finding of inspectOutput(info.text)) {
              context.journal.emit({
                type: 'guard.flagged',
                stepId: info.stepId,
                kind: finding.kind,
                severity: finding.severity,
                message: finding.message,
              });
            }
          }
          const status = context.budget.add(info.inputTokens + info.outputTokens);
          if (status !== 'ok' && 'exceeded' in status) {
            throw new AetherError(
              'BUDGET_EXCEEDED',
              `the run used its ${status.exceeded} budget: ${status.used} of ${status.limit}${status.exceeded === 'time' ? ' ms' : ' tokens'}`,
              { category: 'user' },
            );
          }
          const loop = context.loops.record(info.agentId, `${info.text}\n${info.toolCalls}`);
          if (loop.loop) {
            const message = `${loop.outputs} near-identical outputs in a row (similarity ${loop.similarity.toFixed(2)})`;
            context.journal.emit({
              type: 'progress.loop',
              agentId: info.agentId,
              stepId: info.stepId,
              message,
            });
            throw new AetherError(
              'LOOP_DETECTED',
              `agent "${info.agentId}" is repeating itself: ${message}`,
              {
                category: 'provider',
              },
            );
          }
        },
        toolContext: {
          allowedTools: agent.tools,
          preApprovedTools: context.preApprovedTools,
          approveWrites: context.approveWrites,
        },
        ...extra,
      };
    },
  };
}
