import type { ModelDefaults, ModelResolver } from '@aether/core';
import { modelResolverFromEnvironment as fromEnvironment } from '@aether/server';
import type { CommandIo } from './output.ts';

/**
 * The model resolver for this process, from the environment (shared with the server and its
 * workers: see `@aether/server`'s `modelResolverFromEnvironment`).
 */
export function modelResolverFromEnvironment(
  io: Pick<CommandIo, 'env'>,
  requestedModels: readonly string[],
): Promise<ModelResolver & ModelDefaults> {
  return fromEnvironment(io.env, requestedModels);
}
