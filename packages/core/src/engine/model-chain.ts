import type { AgentDefinition, AgentTier, ModelClass } from '../contracts/agent.ts';
import type { ModelResolver, ResolvedModel } from '../contracts/model.ts';
import { AetherError } from '../errors.ts';
import { parseModelId } from '../providers/model-id.ts';
import { type ModelDefaults, noProviderMessage } from '../providers/model-resolver.ts';

/** The model choices of the `agents` settings group. */
export interface ModelChoices {
  modelByTier: Readonly<Record<AgentTier, string | null>>;
  modelByClass: Readonly<Record<ModelClass, string | null>>;
  fallbackModels: readonly string[];
}

/**
 * The models an agent's step tries, in order. The first is, by precedence: the run's
 * `--model`, the agent's `model`, `modelByClass` for its `llmRequirement.class`,
 * `modelByTier` for its tier, then the first configured provider's default. Fallbacks are
 * `fallbackModels` (when set) or the other configured providers' defaults; fallbacks whose
 * provider is not configured are left out.
 */
export function resolveModelChain(
  resolver: ModelResolver & ModelDefaults,
  agent: AgentDefinition,
  choices: ModelChoices,
  runModel?: string,
): ResolvedModel[] {
  const requirement = agent.llmRequirement?.class;
  const primaryId =
    runModel ??
    agent.model ??
    (requirement === undefined ? null : choices.modelByClass[requirement]) ??
    choices.modelByTier[agent.tier] ??
    resolver.defaultModelIds()[0];
  if (primaryId === undefined) {
    throw new AetherError('NO_PROVIDER', noProviderMessage(), {
      category: 'user',
      hint: 'see README.md, "Pointing Aether at a model"',
    });
  }
  const chain = [resolver.resolve(primaryId)];
  const configured = new Set(resolver.configuredProviders());
  const fallbackIds = choices.fallbackModels.length > 0 ? choices.fallbackModels : resolver.defaultModelIds();
  for (const id of fallbackIds) {
    if (chain.some((model) => model.id === id)) continue;
    if (!configured.has(parseModelId(id).provider)) continue;
    chain.push(resolver.resolve(id));
  }
  return chain;
}
