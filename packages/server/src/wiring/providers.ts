/**
 * The model resolver from a process's environment lives in `@aether/core` (shared with the
 * CLI, which must not load the server to run a goal); re-exported for the server's wiring.
 */
export { modelResolverFromEnvironment } from '@aether/core';
