import {
  modelResolverFromEnvironment as fromEnvironment,
  type ModelDefaults,
  type ModelResolver,
} from '@aether/core';
import type { CommandIo } from './output.ts';

/** The model resolver for this process, from the environment (the server and its workers share it). */
export function modelResolverFromEnvironment(
  io: Pick<CommandIo, 'env'>,
  requestedModels: readonly string[],
): Promise<ModelResolver & ModelDefaults> {
  return fromEnvironment(io.env, requestedModels);
}
