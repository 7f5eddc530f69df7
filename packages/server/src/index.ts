/**
 * `@aether/server`: Aether as a multi-tenant service. `startServer` (`aether serve`) runs the
 * HTTP API — REST with OpenAPI, SSE and WebSocket streams, GraphQL, auth and tenancy — in
 * the embedded mode (everything in one process) or the distributed one (PostgreSQL server,
 * BullMQ and Redis pub/sub); `startWorker` (`aether worker`) executes runs from the queue;
 * `runMigrations` (`aether migrate`) brings a database up to date.
 */
export { createApp, describeValidation } from './app/create-app.ts';
export type { Principal, ServerContext } from './app/server-context.ts';
export { maskForAudit } from './audit/mask.ts';
export { bearerToken, principalOf } from './auth/authenticate.ts';
export { assertSubdomain, RESERVED_SUBDOMAINS, subdomainProblem } from './auth/subdomain.ts';
export {
  createTokenSigner,
  issueApiKey,
  JWT_ALGORITHM,
  JWT_AUDIENCE,
  JWT_ISSUER,
  loadJwtKey,
  parseApiKey,
  type TokenClaims,
  type TokenSigner,
} from './auth/tokens.ts';
export { createBullRunQueue, RUN_QUEUE_NAME, startBullRunWorker } from './queue/bullmq-run-queue.ts';
export { LocalRunPool } from './queue/local-run-pool.ts';
export {
  type JobOutcome,
  ownerIsGone,
  processOwner,
  RunExecutor,
  type RunExecutorOptions,
} from './queue/run-executor.ts';
export type { RunJob, RunQueue } from './queue/run-queue.ts';
export {
  type RunningServer,
  type RunningWorker,
  runMigrations,
  type ServeOptions,
  startServer,
  startWorker,
} from './serve.ts';
export { type RunRequest, RunService, type RunView, runView } from './services/run-service.ts';
export { createLocalEventBus, createRedisEventBus, type EventBus, runChannel } from './streams/event-bus.ts';
export { type FollowRunOptions, followRun, TERMINAL_EVENT_TYPES } from './streams/follow-run.ts';
export { modelResolverFromEnvironment } from './wiring/providers.ts';
