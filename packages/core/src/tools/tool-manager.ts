import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../contracts/clock.ts';
import { systemClock } from '../contracts/clock.ts';
import type { JsonObject } from '../contracts/json.ts';
import type { TenantStore } from '../contracts/store.ts';
import type { ToolDecisionStep } from '../contracts/tool-store.ts';
import {
  type ApprovalDecision,
  type ApprovalGate,
  TOOL_RETRIES_EXHAUSTED,
  type ToolCallOutcome,
  type ToolCallRequest,
  type ToolContext,
  type ToolDefinition,
  type ToolHost,
} from '../contracts/tools.ts';
import { AetherError, describeError } from '../errors.ts';
import type { SecretVault } from '../secrets/secret-vault.ts';
import { META_KEYS } from './aether-tools-server.ts';
import { ArgumentValidator, argumentErrorResult } from './argument-validation.ts';
import { idempotencyKey } from './idempotency-key.ts';
import { type McpServerConfig, mcpServerSecretNames } from './mcp-config.ts';
import { type InProcessMcpServer, McpConnection } from './mcp-connection.ts';
import { InMemoryRateLimiter, type RateLimit, type RateLimiter } from './rate-limiter.ts';
import { matchesAnyToolGlob, matchesToolGlob, serverCouldMatch, serverOfToolName } from './tool-names.ts';
import { type RegisteredTool, ToolRegistry } from './tool-registry.ts';
import { outcomeOfCallResult } from './tool-result.ts';

/** How long a timed-out approval gate may take to record the expiry before the denial stands. */
const GATE_CLEANUP_MS = 5_000;

/** The settings the tool manager reads, all in the `execution` group: pass the group itself. */
export interface ToolManagerSettings {
  maxToolRetries: number;
  toolCallTimeoutMs: number;
  approvalTimeoutMs: number;
  toolRateLimits: Readonly<Record<string, RateLimit>>;
  toolRateLimitWaitMs: number;
  trustedMcpServers: readonly string[];
  mcpAllowedPrivateHosts: readonly string[];
  mcpReconnectDelayMs: number;
}

/** What a {@link ToolManager} is built from; the app wires it. */
export interface ToolManagerOptions {
  /** The tenant whose tools these are (decisions, definition hashes, write log). */
  tenant: TenantStore;
  /** External MCP servers (from `.aether/mcp.json` and the database). */
  servers: readonly McpServerConfig[];
  /** Servers inside this process, e.g. Aether's own tools. */
  inProcessServers?: readonly InProcessMcpServer[];
  /** The tenant's secrets; without it, a server that needs one is refused (credentials step). */
  vault?: SecretVault;
  /** Who is asked to confirm a write. */
  approvalGate: ApprovalGate;
  settings: ToolManagerSettings;
  clock?: Clock;
  /** Token buckets; in memory by default. */
  rateLimiter?: RateLimiter;
  /** Tool globs whose writes this manager's runs may make without asking (`--approve-writes`). */
  approveWrites?: readonly string[];
  /** Resolves host names for the HTTP URL check (tests). */
  resolveHost?: (hostname: string) => Promise<string[]>;
}

/** A server's tools as `aether mcp test` shows them. */
export interface ServerReport {
  server: string;
  ok: boolean;
  error?: string;
  tools: Array<{ name: string; description: string; writes: boolean; status: 'approved' | 'quarantined' }>;
}

type ServerEntry = McpServerConfig | InProcessMcpServer;

function isInProcess(server: ServerEntry): server is InProcessMcpServer {
  return 'create' in server;
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]?.trim() ?? '';
}

/**
 * Aether's `ToolHost`: every tool is an MCP tool (external servers over stdio or HTTP, and
 * Aether's own in-process servers), and every call passes the fail-closed approval pipeline,
 * in order: registered (and not quarantined) → allowed for the agent / pre-approved for the
 * team → the tenant's credentials present → arguments valid → a write? then confirmed by
 * `--approve-writes` or a person (with a timeout that denies). Each decision is stored and
 * traced; denials and errors go back to the model as results it can read.
 */
export class ToolManager implements ToolHost {
  readonly #options: ToolManagerOptions;
  readonly #clock: Clock;
  readonly #servers = new Map<string, ServerEntry>();
  readonly #connections = new Map<string, McpConnection>();
  readonly #registry: ToolRegistry;
  readonly #validator = new ArgumentValidator();
  readonly #rateLimiter: RateLimiter;
  readonly #failures = new Map<string, number>();
  readonly #reported = new Set<string>();
  readonly #missingSecrets = new Map<string, string[]>();
  readonly #serverErrors = new Map<string, AetherError>();
  #closed = false;

  constructor(options: ToolManagerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#rateLimiter = options.rateLimiter ?? new InMemoryRateLimiter({ clock: this.#clock });
    this.#registry = new ToolRegistry(options.tenant.toolDefinitions, options.settings);
    for (const server of [...(options.inProcessServers ?? []), ...options.servers]) {
      if (this.#servers.has(server.name)) {
        throw new AetherError('MCP_SERVER_DUPLICATE', `two MCP servers are named "${server.name}"`, {
          category: 'user',
        });
      }
      if (!isInProcess(server) && server.disabled) continue;
      this.#servers.set(server.name, server);
    }
  }

  /** The servers this manager knows, by name. */
  get serverNames(): string[] {
    return [...this.#servers.keys()];
  }

  #connection(server: ServerEntry): McpConnection {
    let connection = this.#connections.get(server.name);
    if (connection === undefined) {
      connection = new McpConnection({
        server,
        revealSecrets: async (names) => {
          if (names.length === 0) return new Map();
          if (this.#options.vault === undefined) {
            throw new AetherError(
              'MASTER_KEY_MISSING',
              'no master key is configured, so secrets cannot be used',
              {
                category: 'user',
              },
            );
          }
          return this.#options.vault.reveal(names);
        },
        urlGuard: {
          allowedHosts: this.#options.settings.mcpAllowedPrivateHosts,
          ...(this.#options.resolveHost === undefined ? {} : { resolve: this.#options.resolveHost }),
        },
        clock: this.#clock,
        requestTimeoutMs: this.#options.settings.toolCallTimeoutMs,
        reconnectDelayMs: this.#options.settings.mcpReconnectDelayMs,
      });
      this.#connections.set(server.name, connection);
    }
    return connection;
  }

  /** Secret names a server needs that are not set (all of them when there is no vault). */
  async #missing(server: ServerEntry): Promise<string[]> {
    if (isInProcess(server)) return [];
    const names = mcpServerSecretNames(server);
    if (names.length === 0) return [];
    return this.#options.vault === undefined ? names : this.#options.vault.missing(names);
  }

  #emitOnce(key: string, context: ToolContext, emit: () => void): void {
    const scoped = `${context.runId}\u0000${key}`;
    if (this.#reported.has(scoped)) return;
    this.#reported.add(scoped);
    emit();
  }

  /**
   * Connects a server if needed and reads its tools into the registry. Failures are events
   * (`mcp.server.failed`), never throws: the server's tools are then simply not there.
   */
  async #refresh(server: ServerEntry, context: ToolContext | undefined): Promise<void> {
    const missing = await this.#missing(server);
    if (missing.length > 0) {
      this.#missingSecrets.set(server.name, missing);
      await this.#registry.loadStored(server);
      if (context !== undefined) {
        this.#emitOnce(`secrets\u0000${server.name}\u0000${missing.join(',')}`, context, () =>
          context.emit({
            type: 'mcp.server.failed',
            server: server.name,
            error: {
              code: 'MCP_SECRETS_MISSING',
              message: `not started: it needs secret(s) ${missing.join(', ')}, which are not set (\`aether secrets set ${missing[0]}\`)`,
            },
          }),
        );
      }
      return;
    }
    this.#missingSecrets.delete(server.name);
    const connection = this.#connection(server);
    try {
      const { restarted } = await connection.ensure();
      if (restarted)
        context?.emit({ type: 'mcp.server.restarted', server: server.name, reason: connection.deathReason });
      const quarantined = await this.#registry.update(server, await connection.listTools(context?.signal));
      this.#serverErrors.delete(server.name);
      if (context !== undefined) for (const tool of quarantined) this.#reportQuarantine(tool, context);
    } catch (error) {
      if (context?.signal.aborted) throw error;
      const failure =
        error instanceof AetherError
          ? error
          : new AetherError('MCP_SERVER_FAILED', connection.redactor.text(describeError(error)), {
              category: 'tool',
            });
      this.#serverErrors.set(server.name, failure);
      if (context !== undefined) {
        // Once per run and failure: a server retried at every step does not flood the trace.
        this.#emitOnce(
          `failed\u0000${server.name}\u0000${failure.code}\u0000${failure.message}`,
          context,
          () =>
            context.emit({
              type: 'mcp.server.failed',
              server: server.name,
              error: { code: failure.code, message: failure.message },
            }),
        );
      }
    }
  }

  #reportQuarantine(tool: RegisteredTool, context: ToolContext): void {
    this.#emitOnce(`quarantine\u0000${tool.name}\u0000${tool.hash}`, context, () =>
      context.emit({
        type: 'tool.quarantined',
        toolName: tool.name,
        server: tool.server,
        reason: `its definition changed since it was approved (approved ${tool.approvedHash.slice(0, 12)}, now ${tool.hash.slice(0, 12)}); approve it again with \`aether mcp approve ${tool.server}\``,
      }),
    );
  }

  #assertTenant(context: ToolContext): void {
    if (context.tenantId !== this.#options.tenant.tenantId) {
      throw new AetherError(
        'TOOL_TENANT_MISMATCH',
        'a tool request came for another tenant than this tool manager’s',
        {
          category: 'system',
        },
      );
    }
    if (this.#closed)
      throw new AetherError('TOOL_MANAGER_CLOSED', 'the tool manager is closed', { category: 'system' });
  }

  /** The tools an agent may use: allowed by its tool list, approved (not quarantined), servers reachable. */
  async listTools(context: ToolContext): Promise<ToolDefinition[]> {
    this.#assertTenant(context);
    const allowed = context.allowedTools;
    if (allowed.length === 0) return [];
    const servers = [...this.#servers.values()].filter((server) => serverCouldMatch(allowed, server.name));
    await Promise.all(servers.map((server) => this.#refresh(server, context)));
    const tools: ToolDefinition[] = [];
    for (const server of servers) {
      if (this.#missingSecrets.has(server.name) || this.#serverErrors.has(server.name)) continue;
      for (const tool of this.#registry.list(server.name)) {
        if (!matchesAnyToolGlob(allowed, tool.name)) continue;
        if (tool.status === 'quarantined') {
          this.#reportQuarantine(tool, context);
          continue;
        }
        const title = tool.definition.title;
        const description = tool.definition.description ?? '';
        tools.push({
          name: tool.name,
          description:
            title !== undefined && !description.startsWith(title)
              ? `${title}. ${description}`.trim()
              : description || tool.name,
          inputSchema: tool.definition.inputSchema,
        });
      }
    }
    return tools;
  }

  async #decide(
    request: ToolCallRequest,
    context: ToolContext,
    approved: boolean,
    step: ToolDecisionStep,
    reason: string,
    decidedBy: string,
  ): Promise<void> {
    await this.#options.tenant.toolDecisions.record({
      runId: context.runId,
      callId: request.callId,
      stepId: context.stepId,
      agentId: context.agentId,
      toolName: request.toolName,
      approved,
      step,
      reason,
      decidedBy,
    });
    const text = `${step}: ${reason}`;
    context.emit(
      approved
        ? { type: 'tool.approved', callId: request.callId, toolName: request.toolName, reason: text }
        : { type: 'tool.denied', callId: request.callId, toolName: request.toolName, reason: text },
    );
  }

  async #deny(
    request: ToolCallRequest,
    context: ToolContext,
    step: ToolDecisionStep,
    reason: string,
    decidedBy = 'policy',
  ): Promise<ToolCallOutcome> {
    await this.#decide(request, context, false, step, reason, decidedBy);
    return { status: 'denied', reason: `${step}: ${reason}` };
  }

  #failureKey(request: ToolCallRequest, context: ToolContext): string {
    return `${context.runId}\u0000${context.agentId}\u0000${request.toolName}`;
  }

  /** Counts a failed attempt; past `maxToolRetries` in a row, the agent's item fails. */
  #countFailure(request: ToolCallRequest, context: ToolContext, outcome: ToolCallOutcome): ToolCallOutcome {
    const key = this.#failureKey(request, context);
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    const max = this.#options.settings.maxToolRetries;
    if (failures > max) {
      this.#failures.delete(key);
      const detail =
        outcome.status === 'error'
          ? ` (last error: ${String(outcome.error['error'] ?? '').slice(0, 300)})`
          : '';
      throw new AetherError(
        TOOL_RETRIES_EXHAUSTED,
        `agent "${context.agentId}" failed with tool "${request.toolName}" ${failures} times in a row, more than execution.maxToolRetries (${max}) allows${detail}`,
        { category: 'tool', hint: 'raise execution.maxToolRetries, or check the tool and its server' },
      );
    }
    return outcome;
  }

  /** Runs one tool request through the approval pipeline and, when it passes, calls the tool. */
  async call(request: ToolCallRequest, context: ToolContext): Promise<ToolCallOutcome> {
    this.#assertTenant(context);
    const serverName = serverOfToolName(request.toolName);
    const server = serverName === undefined ? undefined : this.#servers.get(serverName);

    // 1. Registered? (Refresh first when the tool is unknown or its server announced a change.)
    let tool = this.#registry.get(request.toolName);
    const connection = server === undefined ? undefined : this.#connections.get(server.name);
    if (
      server !== undefined &&
      (tool === undefined || connection === undefined || connection.toolsStale || connection.dead)
    ) {
      await this.#refresh(server, context);
      tool = this.#registry.get(request.toolName);
    }
    if (tool === undefined || server === undefined) {
      const failure = server === undefined ? undefined : this.#serverErrors.get(server.name);
      const known = this.#registry
        .list()
        .filter((candidate) => matchesAnyToolGlob(context.allowedTools, candidate.name))
        .map((candidate) => candidate.name)
        .slice(0, 30);
      return this.#deny(
        request,
        context,
        'registered',
        failure !== undefined
          ? `no tool "${request.toolName}": its server "${server?.name}" is unavailable (${failure.code}: ${failure.message.slice(0, 300)})`
          : `no tool "${request.toolName}" is registered${known.length === 0 ? '' : `; tools you may use: ${known.join(', ')}`}`,
      );
    }

    // 1b. Quarantined since its definition changed?
    if (tool.status === 'quarantined') {
      this.#reportQuarantine(tool, context);
      return this.#deny(
        request,
        context,
        'quarantine',
        `"${tool.name}" changed since it was approved and is quarantined until approved again (\`aether mcp approve ${tool.server}\`)`,
      );
    }

    // 2. Allowed for this agent, and pre-approved for the team?
    if (!matchesAnyToolGlob(context.allowedTools, tool.name)) {
      return this.#deny(
        request,
        context,
        'policy',
        `"${tool.name}" is not among the tools of agent "${context.agentId}" (${context.allowedTools.join(', ') || 'none'})`,
      );
    }
    const preApproved = matchesAnyToolGlob(context.preApprovedTools, tool.name);

    // 3. The tenant's credentials for its server present?
    const missing = this.#missingSecrets.get(server.name) ?? (await this.#missing(server));
    if (missing.length > 0) {
      return this.#deny(
        request,
        context,
        'credentials',
        this.#options.vault === undefined
          ? `server "${server.name}" needs secret(s) ${missing.join(', ')}, but no master key is configured`
          : `server "${server.name}" needs secret(s) ${missing.join(', ')}, which are not set (\`aether secrets set ${missing[0]}\`)`,
      );
    }

    // Arguments valid? (Before asking anyone: a person is only asked about a well-formed call.)
    const check = this.#validator.check(tool.hash, tool.definition.inputSchema, request.input);
    if (!check.ok) {
      if ('schemaError' in check) {
        return this.#deny(
          request,
          context,
          'registered',
          `"${tool.name}" has an input schema that is not valid JSON Schema (${check.schemaError.slice(0, 200)}), so its calls cannot be checked`,
        );
      }
      return this.#countFailure(request, context, {
        status: 'error',
        error: argumentErrorResult(tool.name, check.problems),
      });
    }

    // A write that already ran in an earlier attempt of this step is not run again.
    const key = idempotencyKey(context.runId, context.stepId, request.callId);
    if (tool.writes) {
      const earlier = await this.#options.tenant.toolWrites.get(key);
      if (earlier !== undefined) return this.#replayWrite(request, context, earlier.outcome);
    }

    // Rate limit (per tenant and tool).
    const limit = Object.entries(this.#options.settings.toolRateLimits).find(([glob]) =>
      matchesToolGlob(glob, tool.name),
    );
    if (limit !== undefined) {
      const decision = await this.#rateLimiter.acquire(
        `${context.tenantId}:${tool.name}`,
        limit[1],
        this.#options.settings.toolRateLimitWaitMs,
        context.signal,
      );
      if (!decision.ok) {
        return this.#deny(
          request,
          context,
          'rate-limit',
          `"${tool.name}" is limited to ${limit[1].perMinute} calls a minute (burst ${limit[1].burst}); try again in ${Math.ceil(decision.retryAfterMs / 1_000)} s`,
        );
      }
    }

    // 4. A write? Then it needs a confirmation.
    if (!tool.writes) {
      await this.#decide(request, context, true, 'policy', tool.readOnlyBecause ?? 'read-only', 'policy');
    } else if (preApproved) {
      await this.#decide(request, context, true, 'policy', 'a write pre-approved for the team', 'team');
    } else {
      const approveWrites = [...(this.#options.approveWrites ?? []), ...(context.approveWrites ?? [])];
      const glob = approveWrites.find((pattern) => matchesToolGlob(pattern, tool.name));
      if (glob !== undefined) {
        await this.#decide(
          request,
          context,
          true,
          'confirmation',
          `write approved for this run by --approve-writes ${glob}`,
          '--approve-writes',
        );
      } else {
        const decision = await this.#ask(request, context, tool);
        if (!decision.approved)
          return this.#deny(request, context, 'confirmation', decision.reason, decision.decidedBy);
        await this.#decide(request, context, true, 'confirmation', decision.reason, decision.decidedBy);
      }
    }

    return this.#execute(request, context, server, tool, key);
  }

  async #replayWrite(
    request: ToolCallRequest,
    context: ToolContext,
    outcome: JsonObject | null,
  ): Promise<ToolCallOutcome> {
    if (outcome === null) {
      await this.#decide(
        request,
        context,
        false,
        'idempotency',
        'an earlier attempt of this write started but did not finish, so it may or may not have taken effect; it is not repeated',
        'policy',
      );
      return {
        status: 'error',
        error: {
          error: `an earlier attempt of this write ("${request.toolName}", call ${request.callId}) started but did not finish; it may or may not have taken effect`,
          hint: 'check the current state before writing again',
        },
      };
    }
    await this.#decide(
      request,
      context,
      true,
      'idempotency',
      'this write already ran in an earlier attempt of this step; its recorded result is returned and the tool is not called again',
      'policy',
    );
    return outcome as unknown as ToolCallOutcome;
  }

  async #ask(
    request: ToolCallRequest,
    context: ToolContext,
    tool: RegisteredTool,
  ): Promise<ApprovalDecision> {
    const gate = this.#options.approvalGate;
    const timeoutMs = this.#options.settings.approvalTimeoutMs;
    const approvalId = crypto.randomUUID();
    context.emit({
      type: 'approval.requested',
      approvalId,
      callId: request.callId,
      toolName: tool.name,
      via: gate.via,
      timeoutMs,
    });
    const timeout = new AbortController();
    const signal = AbortSignal.any([context.signal, timeout.signal]);
    const timer = setTimeout(() => timeout.abort(new Error('approval timed out')), timeoutMs);
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    const asking = gate.ask(
      {
        id: approvalId,
        tenantId: context.tenantId,
        runId: context.runId,
        callId: request.callId,
        stepId: context.stepId,
        agentId: context.agentId,
        toolName: tool.name,
        server: tool.server,
        input: request.input,
        what:
          request.what ??
          (firstLine(tool.definition.description) || tool.definition.title || tool.definition.name),
        how:
          request.how ??
          `MCP tool "${tool.definition.name}" of server "${tool.server}" (it may change things)`,
        why: request.why?.trim() || '(the agent gave no reason)',
        timeoutMs,
      },
      signal,
    );
    try {
      return await Promise.race([asking, aborted]);
    } catch (error) {
      if (context.signal.aborted) throw error;
      if (timeout.signal.aborted) {
        // The gate records the expiry (a database gate marks the request expired) before the
        // denial is final, so nothing stays pending behind it; an answer that came in the same
        // instant stands. A gate that ignores the abort is not waited for long.
        const settled = await Promise.race([
          asking.catch(() => undefined),
          delay(GATE_CLEANUP_MS, undefined, { ref: false }).then(() => undefined),
        ]);
        if (settled !== undefined) return settled;
        return { approved: false, reason: `nobody answered within ${timeoutMs} ms`, decidedBy: 'timeout' };
      }
      return {
        approved: false,
        reason: `the approval could not be asked: ${describeError(error)}`,
        decidedBy: 'error',
      };
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    }
  }

  async #execute(
    request: ToolCallRequest,
    context: ToolContext,
    server: ServerEntry,
    tool: RegisteredTool,
    key: string,
  ): Promise<ToolCallOutcome> {
    if (tool.writes) {
      const claim = await this.#options.tenant.toolWrites.begin({
        key,
        runId: context.runId,
        stepId: context.stepId,
        callId: request.callId,
        toolName: tool.name,
      });
      if (!claim.claimed) return this.#replayWrite(request, context, claim.existing.outcome);
    }
    const connection = this.#connection(server);
    let outcome: ToolCallOutcome;
    try {
      const { restarted } = await connection.ensure();
      if (restarted)
        context.emit({ type: 'mcp.server.restarted', server: server.name, reason: connection.deathReason });
      const result = await connection.callTool(tool.definition.name, request.input, {
        signal: context.signal,
        timeoutMs: this.#options.settings.toolCallTimeoutMs,
        meta: {
          [META_KEYS.runId]: context.runId,
          [META_KEYS.agentId]: context.agentId,
          [META_KEYS.stepId]: context.stepId,
          ...(tool.writes ? { [META_KEYS.idempotencyKey]: key } : {}),
        },
      });
      outcome = outcomeOfCallResult(tool.name, result);
    } catch (error) {
      if (context.signal.aborted) throw error;
      const message = connection.redactor.text(describeError(error)).slice(0, 2_000);
      if (connection.dead) {
        context.emit({
          type: 'mcp.server.failed',
          server: server.name,
          error: {
            code: 'MCP_SERVER_DIED',
            message: `died during a call of "${tool.definition.name}": ${connection.deathReason}`,
          },
        });
      }
      outcome = {
        status: 'error',
        error: {
          error: `tool "${tool.name}" failed: ${message}`,
          ...(connection.dead
            ? { hint: `its server "${server.name}" stopped; it is restarted on the next call` }
            : {}),
        },
      };
    }
    if (outcome.status === 'ok') outcome = { status: 'ok', output: connection.redactor.json(outcome.output) };
    else if (outcome.status === 'error')
      outcome = { status: 'error', error: connection.redactor.json(outcome.error) as JsonObject };
    if (tool.writes) await this.#options.tenant.toolWrites.complete(key, outcome as unknown as JsonObject);
    if (outcome.status === 'error') return this.#countFailure(request, context, outcome);
    this.#failures.delete(this.#failureKey(request, context));
    return outcome;
  }

  /** Connects a server and reports its tools (for `aether mcp test`); no run is involved. */
  async test(name: string): Promise<ServerReport> {
    const server = this.#servers.get(name);
    if (server === undefined) {
      throw new AetherError('MCP_SERVER_NOT_FOUND', `no MCP server "${name}"`, {
        category: 'user',
        hint: `servers: ${this.serverNames.join(', ') || 'none (add one with `aether mcp add`)'}`,
      });
    }
    await this.#refresh(server, undefined);
    const missing = this.#missingSecrets.get(name);
    const error = this.#serverErrors.get(name);
    const failure =
      missing !== undefined
        ? `missing secret(s) ${missing.join(', ')} (\`aether secrets set ${missing[0]}\`)`
        : error === undefined
          ? undefined
          : `${error.code}: ${error.message}`;
    return {
      server: name,
      ok: failure === undefined,
      ...(failure === undefined ? {} : { error: failure }),
      tools: this.#registry.list(name).map((tool) => ({
        name: tool.name,
        description: firstLine(tool.definition.description),
        writes: tool.writes,
        status: tool.status,
      })),
    };
  }

  /** Approves the current definitions of a server's quarantined tools (all, or the named ones). */
  async approve(name: string, tools?: readonly string[]): Promise<string[]> {
    const report = await this.test(name);
    if (!report.ok) {
      throw new AetherError(
        'MCP_SERVER_UNAVAILABLE',
        `MCP server "${name}" is unavailable: ${report.error}`,
        {
          category: 'tool',
        },
      );
    }
    return this.#registry.approve(name, tools, 'user:cli');
  }

  /** The process id of a connected stdio server (for tests that kill it). */
  serverPid(name: string): number | null {
    return this.#connections.get(name)?.pid ?? null;
  }

  /** Closes every connection (stdio servers exit). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#connections.values()].map((connection) => connection.close()));
    this.#connections.clear();
  }
}
