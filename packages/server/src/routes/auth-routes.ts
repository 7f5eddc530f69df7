import {
  AetherError,
  type MemberRole,
  starterAgentDefinitions,
  starterTeamDefinitions,
  type TenantStore,
  teamPolicyDefaults,
} from '@aether/core';
import type { FastifyInstance } from 'fastify';
import { errorResponse, object, roleSchema, string } from '../app/schemas.ts';
import type { ServerContext } from '../app/server-context.ts';
import { principal } from '../auth/authenticate.ts';
import { assertPassword, hashPassword, PASSWORD_LENGTH, verifyPassword } from '../auth/passwords.ts';
import { assertSubdomain } from '../auth/subdomain.ts';
import { sha256Hex } from '../auth/tokens.ts';

const EMAIL_PATTERN = '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$';

const userResponse = {
  type: 'object',
  properties: { id: { type: 'string' }, email: { type: 'string' }, role: roleSchema },
};

interface SignupBody {
  email: string;
  password: string;
  subdomain: string;
  name?: string;
  inviteToken?: string;
}

/** Sign-up, log-in and the caller's own identity. Auth routes have stricter rate limits. */
export function registerAuthRoutes(app: FastifyInstance, context: ServerContext): void {
  const authLimit = {
    rateLimit: { max: context.settings.server.authRateLimitPerMinute, timeWindow: 60_000 },
  };

  const seed = async (tenant: TenantStore) => {
    for (const agent of starterAgentDefinitions()) await tenant.agents.save(agent);
    for (const team of starterTeamDefinitions(teamPolicyDefaults(context.settings)))
      await tenant.teams.save(team);
  };

  app.post<{ Body: SignupBody }>(
    '/v1/auth/signup',
    {
      config: { public: true, ...authLimit },
      schema: {
        tags: ['auth'],
        summary: 'Create a workspace and its owner (or join one with an invite)',
        body: object(
          {
            email: string({ maxLength: 254, pattern: EMAIL_PATTERN }),
            password: string({ minLength: PASSWORD_LENGTH.min, maxLength: PASSWORD_LENGTH.max }),
            subdomain: string({ minLength: 3, maxLength: 63 }),
            name: string({ minLength: 1, maxLength: 200 }),
            inviteToken: string({ minLength: 1, maxLength: 200 }),
          },
          ['email', 'password', 'subdomain'],
        ),
        response: {
          201: {
            type: 'object',
            properties: {
              token: { type: 'string' },
              tenant: {
                type: 'object',
                properties: { id: { type: 'string' }, subdomain: { type: 'string' } },
              },
              user: userResponse,
            },
          },
          '4xx': errorResponse,
        },
      },
    },
    async (request, reply) => {
      const { email, password, subdomain } = request.body;
      assertSubdomain(subdomain);
      assertPassword(password);
      const normalizedEmail = email.trim().toLowerCase();
      const now = new Date(context.clock.now()).toISOString();
      const passwordHash = await hashPassword(password);
      let tenant: { id: string; slug: string };
      let user: { id: string; email: string; role: MemberRole };
      const token = request.body.inviteToken;
      const invite = token === undefined ? undefined : await context.accounts.inviteByToken(sha256Hex(token));
      if (token !== undefined && invite === undefined) {
        throw new AetherError('INVITE_INVALID', 'inviteToken: not a valid, unused invite', {
          category: 'user',
        });
      }
      const issuer = invite === undefined ? undefined : context.store.forTenant(invite.tenantId);
      const joinInvite =
        issuer === undefined
          ? undefined
          : (await issuer.invites.list()).find((candidate) => candidate.id === invite?.id);
      if (issuer !== undefined && joinInvite?.kind === 'join') {
        const workspace = await context.store.tenants.findBySlug(subdomain);
        if (workspace?.id !== issuer.tenantId) {
          throw new AetherError('INVITE_INVALID', 'subdomain: this invite is for another workspace', {
            category: 'user',
          });
        }
        user = await issuer.transaction(async (tx) => {
          const used = await tx.invites.consume(sha256Hex(token ?? ''), now);
          if (used === undefined || (used.email !== null && used.email !== normalizedEmail)) {
            throw new AetherError('INVITE_INVALID', 'inviteToken: not a valid, unused invite', {
              category: 'user',
            });
          }
          return tx.users.create({ email: normalizedEmail, passwordHash, role: used.role });
        });
        tenant = { id: workspace.id, slug: workspace.slug };
      } else {
        if (
          invite === undefined &&
          context.settings.server.signup === 'invite' &&
          (await context.accounts.hasUsers())
        ) {
          throw new AetherError(
            'SIGNUP_INVITE_REQUIRED',
            'inviteToken: sign-up on this server needs an invite from an admin',
            { category: 'user' },
          );
        }
        const created = await context.accounts.createWorkspace({
          slug: subdomain,
          name: request.body.name ?? subdomain,
          owner: { email: normalizedEmail, passwordHash },
          seed,
          ...(invite === undefined
            ? {}
            : {
                invite: {
                  tenantId: invite.tenantId,
                  tokenHash: sha256Hex(token ?? ''),
                  now,
                  email: normalizedEmail,
                },
              }),
        });
        tenant = created.tenant;
        user = created.user;
      }
      request.auditTenantId = tenant.id;
      const jwt = await context.tokens.sign({ tenantId: tenant.id, userId: user.id });
      reply.status(201);
      return {
        token: jwt,
        tenant: { id: tenant.id, subdomain: tenant.slug },
        user: { id: user.id, email: user.email, role: user.role },
      };
    },
  );

  app.post<{ Body: { email: string; password: string; subdomain: string } }>(
    '/v1/auth/login',
    {
      config: { public: true, ...authLimit },
      schema: {
        tags: ['auth'],
        summary: 'Log in to a workspace; answers a JWT',
        body: object(
          {
            email: string({ maxLength: 254 }),
            password: string({ maxLength: PASSWORD_LENGTH.max }),
            subdomain: string({ maxLength: 63 }),
          },
          ['email', 'password', 'subdomain'],
        ),
        response: {
          200: {
            type: 'object',
            properties: { token: { type: 'string' }, expiresInSeconds: { type: 'integer' } },
          },
          '4xx': errorResponse,
        },
      },
    },
    async (request) => {
      const { email, password, subdomain } = request.body;
      const workspace = await context.store.tenants.findBySlug(subdomain);
      const user =
        workspace === undefined
          ? undefined
          : await context.store.forTenant(workspace.id).users.findByEmail(email);
      const ok = await verifyPassword(user?.passwordHash, password);
      if (!ok || user === undefined || workspace === undefined) {
        throw new AetherError('UNAUTHENTICATED', 'email, password or subdomain is wrong', {
          category: 'user',
        });
      }
      return {
        token: await context.tokens.sign({ tenantId: workspace.id, userId: user.id }),
        expiresInSeconds: Math.floor(context.settings.server.tokenTtlMs / 1000),
      };
    },
  );

  app.get(
    '/v1/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'Who the credential belongs to',
        response: {
          200: {
            type: 'object',
            properties: {
              tenant: {
                type: 'object',
                properties: { id: { type: 'string' }, subdomain: { type: 'string' } },
              },
              user: userResponse,
              via: { type: 'string' },
            },
          },
        },
      },
    },
    async (request) => {
      const who = principal(request);
      const tenant = context.store.forTenant(who.tenantId);
      const user = await tenant.users.get(who.userId);
      const [slug] = (await tenantSlug(context, who.tenantId)) ?? [];
      return {
        tenant: { id: who.tenantId, subdomain: slug ?? '' },
        user: { id: who.userId, email: user?.email ?? '', role: who.role },
        via: who.via,
      };
    },
  );
}

async function tenantSlug(context: ServerContext, tenantId: string): Promise<[string] | undefined> {
  const [row] = await context.store.database.transaction(async (tx) => {
    await tx.query(`SELECT set_config('role', 'aether_app', true), set_config('app.tenant_id', $1, true)`, [
      tenantId,
    ]);
    return tx.query<{ slug: string }>('SELECT slug FROM tenants WHERE id = $1', [tenantId]);
  });
  return row === undefined ? undefined : [row.slug];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant a public route acted for (sign-up), for the audit log. */
    auditTenantId?: string;
  }
}
