import {
  AetherError,
  type AgentDefinition,
  AgentRegistry,
  agentDefinitionSchema,
  type JsonObject,
  type MemberRole,
  parseMcpServerEntry,
  SecretVault,
  type TeamDefinition,
  teamDefinitionSchema,
  validateTeam,
} from '@aether/core';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import {
  agentDefinitionJsonSchema,
  anyObject,
  errorResponse,
  idParams,
  integer,
  object,
  roleSchema,
  string,
  teamDefinitionJsonSchema,
} from '../app/schemas.ts';
import type { ServerContext } from '../app/server-context.ts';
import { principal, requireRole } from '../auth/authenticate.ts';
import { issueApiKey, issueInviteToken, roleAtLeast } from '../auth/tokens.ts';

/** Zod's verdict as a 400 that names each field. */
function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, code: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const message = result.error.issues
    .map((issue) => `${issue.path.length === 0 ? 'body' : issue.path.join('.')}: ${issue.message}`)
    .join('; ');
  throw new AetherError(code, message, { category: 'user' });
}

const nameParams = object({ name: string({ minLength: 1, maxLength: 200 }) }, ['name']);

/** Agents (versioned), teams, MCP servers, secrets (write-only), members, invites, API keys and the audit log. */
export function registerAdminRoutes(app: FastifyInstance, context: ServerContext): void {
  const tenantOf = (request: Parameters<typeof principal>[0]) =>
    context.store.forTenant(principal(request).tenantId);

  // Agents
  const agentVersion = {
    type: 'object',
    properties: {
      agentId: { type: 'string' },
      version: { type: 'integer' },
      versionId: { type: 'string' },
      parentId: { type: ['string', 'null'] },
      createdAt: { type: 'string' },
      definition: anyObject,
    },
  };
  app.get(
    '/v1/agents',
    {
      schema: {
        tags: ['agents'],
        summary: 'The latest version of every agent',
        response: { 200: { type: 'object', properties: { agents: { type: 'array', items: agentVersion } } } },
      },
    },
    async (request) => ({
      agents: await tenantOf(request).agents.list(),
    }),
  );
  app.get<{ Params: { id: string } }>(
    '/v1/agents/:id',
    {
      schema: {
        tags: ['agents'],
        summary: 'An agent (latest version)',
        params: idParams,
        response: { 200: agentVersion, '4xx': errorResponse },
      },
    },
    async (request) => {
      const found = await tenantOf(request).agents.get(request.params.id);
      if (found === undefined)
        throw new AetherError('AGENT_NOT_FOUND', `no agent "${request.params.id}"`, { category: 'user' });
      return found;
    },
  );
  app.get<{ Params: { id: string } }>(
    '/v1/agents/:id/versions',
    {
      schema: {
        tags: ['agents'],
        summary: "An agent's versions, oldest first",
        params: idParams,
        response: {
          200: { type: 'object', properties: { versions: { type: 'array', items: agentVersion } } },
          '4xx': errorResponse,
        },
      },
    },
    async (request) => {
      const versions = await tenantOf(request).agents.versions(request.params.id);
      if (versions.length === 0)
        throw new AetherError('AGENT_NOT_FOUND', `no agent "${request.params.id}"`, { category: 'user' });
      return { versions };
    },
  );
  const saveAgent = async (request: Parameters<typeof principal>[0], body: unknown) => {
    requireRole(request, 'admin');
    const definition = parseOrThrow(agentDefinitionSchema, body, 'AGENT_INVALID') as AgentDefinition;
    return tenantOf(request).agents.save(definition);
  };
  app.post<{ Body: JsonObject }>(
    '/v1/agents',
    {
      schema: {
        tags: ['agents'],
        summary: 'Create an agent (or a new version of it)',
        body: agentDefinitionJsonSchema,
        response: { 201: agentVersion, '4xx': errorResponse },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return saveAgent(request, request.body);
    },
  );
  app.put<{ Params: { id: string }; Body: JsonObject }>(
    '/v1/agents/:id',
    {
      schema: {
        tags: ['agents'],
        summary: 'Save a new version of an agent',
        params: idParams,
        body: agentDefinitionJsonSchema,
        response: { 200: agentVersion, '4xx': errorResponse },
      },
    },
    async (request) => {
      if (request.body['id'] !== request.params.id) {
        throw new AetherError('AGENT_INVALID', `id: expected "${request.params.id}" as in the path`, {
          category: 'user',
        });
      }
      return saveAgent(request, request.body);
    },
  );

  // Teams
  app.get(
    '/v1/teams',
    {
      schema: {
        tags: ['teams'],
        summary: 'Teams',
        response: { 200: { type: 'object', properties: { teams: { type: 'array', items: anyObject } } } },
      },
    },
    async (request) => ({
      teams: await tenantOf(request).teams.list(),
    }),
  );
  app.get<{ Params: { id: string } }>(
    '/v1/teams/:id',
    {
      schema: {
        tags: ['teams'],
        summary: 'A team',
        params: idParams,
        response: { 200: anyObject, '4xx': errorResponse },
      },
    },
    async (request) => {
      const team = await tenantOf(request).teams.get(request.params.id);
      if (team === undefined)
        throw new AetherError('TEAM_NOT_FOUND', `no team "${request.params.id}"`, { category: 'user' });
      return team;
    },
  );
  app.put<{ Params: { id: string }; Body: JsonObject }>(
    '/v1/teams/:id',
    {
      schema: {
        tags: ['teams'],
        summary: 'Create or replace a team (checked against the agents)',
        params: idParams,
        body: teamDefinitionJsonSchema,
        response: { 200: anyObject, '4xx': errorResponse },
      },
    },
    async (request) => {
      requireRole(request, 'admin');
      if (request.body['id'] !== request.params.id) {
        throw new AetherError('TEAM_INVALID', `id: expected "${request.params.id}" as in the path`, {
          category: 'user',
        });
      }
      const team = parseOrThrow(teamDefinitionSchema, request.body, 'TEAM_INVALID') as TeamDefinition;
      const tenant = tenantOf(request);
      const registry = new AgentRegistry((await tenant.agents.list()).map((version) => version.definition));
      const errors = validateTeam(team, registry).filter((problem) => problem.severity === 'error');
      if (errors.length > 0) {
        throw new AetherError('TEAM_INVALID', errors.map((problem) => problem.message).join('; '), {
          category: 'user',
        });
      }
      await tenant.teams.save(team);
      return team;
    },
  );
  app.delete<{ Params: { id: string } }>(
    '/v1/teams/:id',
    {
      schema: {
        tags: ['teams'],
        summary: 'Remove a team',
        params: idParams,
        response: { '4xx': errorResponse },
      },
    },
    async (request, reply) => {
      requireRole(request, 'admin');
      if (!(await tenantOf(request).teams.remove(request.params.id)))
        throw new AetherError('TEAM_NOT_FOUND', `no team "${request.params.id}"`, { category: 'user' });
      reply.status(204).send();
    },
  );

  // MCP servers
  const mcpRecord = {
    type: 'object',
    properties: {
      name: { type: 'string' },
      config: anyObject,
      createdAt: { type: 'string' },
      updatedAt: { type: 'string' },
    },
  };
  app.get(
    '/v1/mcp-servers',
    {
      schema: {
        tags: ['tools'],
        summary: 'MCP servers',
        response: { 200: { type: 'object', properties: { servers: { type: 'array', items: mcpRecord } } } },
      },
    },
    async (request) => ({
      servers: await tenantOf(request).mcpServers.list(),
    }),
  );
  app.put<{ Params: { name: string }; Body: { config: JsonObject } }>(
    '/v1/mcp-servers/:name',
    {
      schema: {
        tags: ['tools'],
        summary: 'Create or replace an MCP server (secrets only as ${secret:NAME} references)',
        params: nameParams,
        body: object({ config: anyObject }, ['config']),
        response: { 200: mcpRecord, '4xx': errorResponse },
      },
    },
    async (request) => {
      requireRole(request, 'admin');
      try {
        parseMcpServerEntry(request.params.name, request.body.config, 'database', 'config');
      } catch (error) {
        throw new AetherError('MCP_SERVER_INVALID', error instanceof Error ? error.message : String(error), {
          category: 'user',
        });
      }
      return tenantOf(request).mcpServers.put(request.params.name, request.body.config);
    },
  );
  app.delete<{ Params: { name: string } }>(
    '/v1/mcp-servers/:name',
    {
      schema: {
        tags: ['tools'],
        summary: 'Remove an MCP server',
        params: nameParams,
        response: { '4xx': errorResponse },
      },
    },
    async (request, reply) => {
      requireRole(request, 'admin');
      if (!(await tenantOf(request).mcpServers.remove(request.params.name)))
        throw new AetherError('MCP_SERVER_NOT_FOUND', 'no MCP server with that name', {
          category: 'user',
        });
      reply.status(204).send();
    },
  );

  // Secrets: write-only
  const vaultOf = (request: Parameters<typeof principal>[0]) => {
    const tenant = tenantOf(request);
    return new SecretVault({
      tenantId: tenant.tenantId,
      secrets: tenant.secrets,
      masterKeys: context.masterKeys,
    });
  };
  const secretSummary = {
    type: 'object',
    properties: { name: { type: 'string' }, createdAt: { type: 'string' }, updatedAt: { type: 'string' } },
  };
  app.get(
    '/v1/secrets',
    {
      schema: {
        tags: ['tools'],
        summary: 'Secret names (values are never shown)',
        response: {
          200: { type: 'object', properties: { secrets: { type: 'array', items: secretSummary } } },
        },
      },
    },
    async (request) => {
      requireRole(request, 'admin');
      return { secrets: await vaultOf(request).list() };
    },
  );
  app.put<{ Params: { name: string }; Body: { value: string } }>(
    '/v1/secrets/:name',
    {
      schema: {
        tags: ['tools'],
        summary: 'Set a secret (write-only)',
        params: nameParams,
        body: object({ value: string({ minLength: 1, maxLength: 65_536 }) }, ['value']),
        response: { 200: secretSummary, '4xx': errorResponse },
      },
    },
    async (request) => {
      requireRole(request, 'admin');
      return vaultOf(request).set(request.params.name, request.body.value);
    },
  );
  app.delete<{ Params: { name: string } }>(
    '/v1/secrets/:name',
    {
      schema: {
        tags: ['tools'],
        summary: 'Remove a secret',
        params: nameParams,
        response: { '4xx': errorResponse },
      },
    },
    async (request, reply) => {
      requireRole(request, 'admin');
      if (!(await vaultOf(request).remove(request.params.name)))
        throw new AetherError('SECRET_NOT_FOUND', 'no secret with that name', { category: 'user' });
      reply.status(204).send();
    },
  );

  // Members
  const member = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      email: { type: 'string' },
      role: roleSchema,
      createdAt: { type: 'string' },
    },
  };
  app.get(
    '/v1/members',
    {
      schema: {
        tags: ['members'],
        summary: 'Members of the workspace',
        response: { 200: { type: 'object', properties: { members: { type: 'array', items: member } } } },
      },
    },
    async (request) => ({
      members: await tenantOf(request).users.list(),
    }),
  );
  app.patch<{ Params: { id: string }; Body: { role: MemberRole } }>(
    '/v1/members/:id',
    {
      schema: {
        tags: ['members'],
        summary: "Change a member's role",
        params: idParams,
        body: object({ role: roleSchema }, ['role']),
        response: { 200: member, '4xx': errorResponse },
      },
    },
    async (request) => {
      const who = requireRole(request, 'admin');
      const tenant = tenantOf(request);
      const target = await tenant.users.get(request.params.id);
      if (target === undefined)
        throw new AetherError('MEMBER_NOT_FOUND', `no member ${request.params.id}`, { category: 'user' });
      if ((target.role === 'owner' || request.body.role === 'owner') && who.role !== 'owner') {
        throw new AetherError('FORBIDDEN', 'role: only an owner may grant or take the owner role', {
          category: 'user',
        });
      }
      return (await tenant.users.setRole(target.id, request.body.role)) ?? target;
    },
  );
  app.delete<{ Params: { id: string } }>(
    '/v1/members/:id',
    {
      schema: {
        tags: ['members'],
        summary: 'Remove a member (their API keys stop working)',
        params: idParams,
        response: { '4xx': errorResponse },
      },
    },
    async (request, reply) => {
      const who = requireRole(request, 'admin');
      const tenant = tenantOf(request);
      const target = await tenant.users.get(request.params.id);
      if (target === undefined)
        throw new AetherError('MEMBER_NOT_FOUND', `no member ${request.params.id}`, { category: 'user' });
      if (target.role === 'owner' && who.role !== 'owner')
        throw new AetherError('FORBIDDEN', 'only an owner may remove an owner', { category: 'user' });
      await tenant.users.remove(target.id);
      reply.status(204).send();
    },
  );

  // Invites
  const inviteRecord = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      kind: { type: 'string' },
      role: roleSchema,
      email: { type: ['string', 'null'] },
      createdAt: { type: 'string' },
      expiresAt: { type: 'string' },
      usedAt: { type: ['string', 'null'] },
      token: { type: 'string' },
    },
  };
  app.post<{ Body: { role?: MemberRole; email?: string; kind?: 'join' | 'workspace' } }>(
    '/v1/invites',
    {
      schema: {
        tags: ['members'],
        summary: 'Invite someone (the token is shown once)',
        body: object({
          role: roleSchema,
          email: string({ maxLength: 254 }),
          kind: string({ enum: ['join', 'workspace'] }),
        }),
        response: { 201: inviteRecord, '4xx': errorResponse },
      },
    },
    async (request, reply) => {
      const who = requireRole(request, 'admin');
      const kind = request.body.kind ?? 'join';
      const role = kind === 'workspace' ? 'owner' : (request.body.role ?? 'member');
      if (kind === 'join' && !roleAtLeast(who.role, role)) {
        throw new AetherError('FORBIDDEN', `role: you cannot invite someone as ${role}`, {
          category: 'user',
        });
      }
      const { token, tokenHash } = issueInviteToken();
      const invite = await tenantOf(request).invites.create({
        tokenHash,
        kind,
        role,
        email: request.body.email ?? null,
        createdBy: who.userId,
        expiresAt: new Date(context.clock.now() + context.settings.server.inviteTtlMs).toISOString(),
      });
      reply.status(201);
      return { ...invite, token };
    },
  );
  app.get(
    '/v1/invites',
    {
      schema: {
        tags: ['members'],
        summary: 'Invites',
        response: {
          200: { type: 'object', properties: { invites: { type: 'array', items: inviteRecord } } },
        },
      },
    },
    async (request) => {
      requireRole(request, 'admin');
      return { invites: await tenantOf(request).invites.list() };
    },
  );

  // API keys
  const keyRecord = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      userId: { type: 'string' },
      role: roleSchema,
      prefix: { type: 'string' },
      createdAt: { type: 'string' },
      lastUsedAt: { type: ['string', 'null'] },
      revokedAt: { type: ['string', 'null'] },
      key: { type: 'string' },
    },
  };
  app.post<{ Body: { name: string; role?: MemberRole } }>(
    '/v1/api-keys',
    {
      schema: {
        tags: ['members'],
        summary: 'Create an API key for yourself (shown once)',
        body: object({ name: string({ minLength: 1, maxLength: 100 }), role: roleSchema }, ['name']),
        response: { 201: keyRecord, '4xx': errorResponse },
      },
    },
    async (request, reply) => {
      const who = principal(request);
      if (who.via === 'api-key')
        throw new AetherError('FORBIDDEN', 'API keys are created with a log-in token, not another key', {
          category: 'user',
        });
      const role = request.body.role ?? who.role;
      if (!roleAtLeast(who.role, role))
        throw new AetherError('FORBIDDEN', `role: a key cannot have more than your role (${who.role})`, {
          category: 'user',
        });
      const issued = issueApiKey(who.tenantId);
      const record = await tenantOf(request).apiKeys.create({
        id: issued.id,
        name: request.body.name,
        userId: who.userId,
        role,
        prefix: issued.prefix,
        keyHash: issued.keyHash,
      });
      reply.status(201);
      return { ...record, key: issued.key };
    },
  );
  app.get(
    '/v1/api-keys',
    {
      schema: {
        tags: ['members'],
        summary: 'API keys (yours; all for admins)',
        response: { 200: { type: 'object', properties: { keys: { type: 'array', items: keyRecord } } } },
      },
    },
    async (request) => {
      const who = principal(request);
      const keys = await tenantOf(request).apiKeys.list();
      return {
        keys: roleAtLeast(who.role, 'admin') ? keys : keys.filter((key) => key.userId === who.userId),
      };
    },
  );
  app.delete<{ Params: { id: string } }>(
    '/v1/api-keys/:id',
    {
      schema: {
        tags: ['members'],
        summary: 'Revoke an API key (refused at once)',
        params: idParams,
        response: { '4xx': errorResponse },
      },
    },
    async (request, reply) => {
      const who = principal(request);
      const tenant = tenantOf(request);
      const key = (await tenant.apiKeys.list()).find((candidate) => candidate.id === request.params.id);
      if (key === undefined || (key.userId !== who.userId && !roleAtLeast(who.role, 'admin')))
        throw new AetherError('API_KEY_NOT_FOUND', `no API key ${request.params.id}`, { category: 'user' });
      await tenant.apiKeys.revoke(key.id);
      reply.status(204).send();
    },
  );

  // Audit log
  const auditRecord = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      at: { type: 'string' },
      actor: { type: 'string' },
      action: { type: 'string' },
      target: { type: ['string', 'null'] },
      status: { type: 'integer' },
      detail: anyObject,
      requestId: { type: 'string' },
    },
  };
  app.get<{ Querystring: { limit?: number } }>(
    '/v1/audit',
    {
      schema: {
        tags: ['members'],
        summary: 'The audit log, newest first (secrets, tokens and emails masked)',
        querystring: object({ limit: integer(1, 1000) }),
        response: { 200: { type: 'object', properties: { entries: { type: 'array', items: auditRecord } } } },
      },
    },
    async (request) => {
      requireRole(request, 'admin');
      return { entries: await tenantOf(request).audit.list({ limit: request.query.limit ?? 100 }) };
    },
  );
}
