import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESERVED_SUBDOMAINS, subdomainProblem } from '../src/auth/subdomain.ts';
import { JWT_AUDIENCE, JWT_ISSUER } from '../src/auth/tokens.ts';
import { bearer, signUp, startTestServer, type TestAccount, type TestServer } from '../src/testing/index.ts';

let server: TestServer;
let owner: TestAccount;
let key: Uint8Array;

beforeAll(async () => {
  server = await startTestServer();
  owner = await signUp(server.app, 'auth-co');
  key = Buffer.from((await readFile(join(server.home, 'jwt.key'), 'utf8')).trim(), 'base64');
});
afterAll(() => server?.dispose());

const me = (token: string) => server.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) });

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('sign-up', () => {
  it('creates a workspace with its owner and starter agents and teams, and answers a working token', async () => {
    const response = await me(owner.token);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      tenant: { id: owner.tenantId, subdomain: 'auth-co' },
      user: { id: owner.userId, email: 'owner@auth-co.test', role: 'owner' },
    });
    const agents = await server.app.inject({
      method: 'GET',
      url: '/v1/agents',
      headers: bearer(owner.token),
    });
    expect((agents.json() as { agents: unknown[] }).agents.length).toBe(7);
    const teams = await server.app.inject({ method: 'GET', url: '/v1/teams', headers: bearer(owner.token) });
    expect((teams.json() as { teams: unknown[] }).teams.length).toBeGreaterThan(0);
  });

  it('reserves at least 90 names, and allows ordinary ones', () => {
    expect(RESERVED_SUBDOMAINS.size).toBeGreaterThanOrEqual(90);
    for (const name of ['acme', 'class-act', 'assets-team', 'scunthorpe', 'cocktail-bar', 'b2b-sales'])
      expect(subdomainProblem(name), name).toBeUndefined();
  });

  it.each([
    ['ab', 'body.subdomain'],
    ['a'.repeat(64), 'body.subdomain'],
    ['Acme', 'lowercase'],
    ['1acme', 'start with a lowercase letter'],
    ['acme-', 'not ending with a hyphen'],
    ['ac--me', 'double hyphen'],
    ['ac_me', 'lowercase letters, digits and hyphens'],
    ['www', 'reserved'],
    ['admin', 'reserved'],
    ['fuck-co', 'not allowed'],
    ['auth-co', 'taken'],
  ])('refuses the subdomain %j, naming the field', async (subdomain, expected) => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: { email: 'x@example.test', password: 'long-enough-password', subdomain },
    });
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    const { error } = response.json() as { error: { message: string } };
    expect(error.message).toContain('subdomain');
    expect(error.message).toContain(expected);
  });

  it('answers bad bodies with a 4xx naming the field', async () => {
    const cases: Array<[unknown, number, string]> = [
      [
        { email: 'x@y.test', password: 'long-enough-password', subdomain: 'fine-co', admin: true },
        400,
        'body.admin: unknown field',
      ],
      [
        { email: 'x@y.test', password: 12345678901, subdomain: 'fine-co' },
        400,
        'body.password: expected string',
      ],
      [{ email: 'x@y.test', subdomain: 'fine-co' }, 400, 'body.password: required'],
      [{ email: 'not-an-email', password: 'long-enough-password', subdomain: 'fine-co' }, 400, 'body.email'],
      [{ email: 'x@y.test', password: 'short', subdomain: 'fine-co' }, 400, 'body.password'],
      [[1, 2], 400, 'body: expected object'],
    ];
    for (const [payload, status, message] of cases) {
      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/auth/signup',
        payload: payload as object,
      });
      expect(response.statusCode, JSON.stringify(payload)).toBe(status);
      expect((response.json() as { error: { message: string } }).error.message).toContain(message);
    }
    const broken = await server.app.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": ',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ error: { code: 'BODY_INVALID_JSON' } });
    const huge = await server.app.inject({
      method: 'POST',
      url: '/v1/runs',
      headers: bearer(owner.token),
      payload: { goal: 'x'.repeat(server.context.settings.server.bodyLimitBytes + 10) },
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ error: { code: 'BODY_TOO_LARGE' } });
    expect((huge.json() as { error: { message: string } }).error.message).toContain('body');
  });
});

describe('log-in', () => {
  it('answers a token for the right email, password and subdomain, and 401 otherwise', async () => {
    const ok = await server.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: 'OWNER@auth-co.test', password: owner.password, subdomain: 'auth-co' },
    });
    expect(ok.statusCode).toBe(200);
    expect((await me((ok.json() as { token: string }).token)).statusCode).toBe(200);
    for (const payload of [
      { email: owner.email, password: 'wrong-password!', subdomain: 'auth-co' },
      { email: 'nobody@auth-co.test', password: owner.password, subdomain: 'auth-co' },
      { email: owner.email, password: owner.password, subdomain: 'no-such-co' },
    ]) {
      const response = await server.app.inject({ method: 'POST', url: '/v1/auth/login', payload });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    }
  });
});

describe('JWT attacks', () => {
  const claims = () => ({ tid: owner.tenantId, sub: owner.userId });

  it('refuses alg none, a wrong key, expired, wrong audience or issuer, and a missing exp', async () => {
    const now = Math.floor(Date.now() / 1000);
    const none = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...claims(), iss: JWT_ISSUER, aud: JWT_AUDIENCE, exp: now + 600 })}.`;
    const sign = (build: (jwt: SignJWT) => SignJWT, signingKey: Uint8Array = key) =>
      build(new SignJWT(claims()).setProtectedHeader({ alg: 'HS256' })).sign(signingKey);
    const attacks: Record<string, string> = {
      none,
      wrongKey: await sign(
        (jwt) =>
          jwt
            .setIssuer(JWT_ISSUER)
            .setAudience(JWT_AUDIENCE)
            .setExpirationTime(now + 600),
        new Uint8Array(32).fill(7),
      ),
      expired: await sign((jwt) =>
        jwt
          .setIssuer(JWT_ISSUER)
          .setAudience(JWT_AUDIENCE)
          .setExpirationTime(now - 10),
      ),
      wrongAudience: await sign((jwt) =>
        jwt
          .setIssuer(JWT_ISSUER)
          .setAudience('someone-else')
          .setExpirationTime(now + 600),
      ),
      wrongIssuer: await sign((jwt) =>
        jwt
          .setIssuer('evil')
          .setAudience(JWT_AUDIENCE)
          .setExpirationTime(now + 600),
      ),
      missingExp: await sign((jwt) => jwt.setIssuer(JWT_ISSUER).setAudience(JWT_AUDIENCE)),
      hs512: await new SignJWT(claims())
        .setProtectedHeader({ alg: 'HS512' })
        .setIssuer(JWT_ISSUER)
        .setAudience(JWT_AUDIENCE)
        .setExpirationTime(now + 600)
        .sign(key),
      garbage: 'not.a.token',
    };
    // The control: the same key and claims, done right, pass.
    const control = await sign((jwt) =>
      jwt
        .setIssuer(JWT_ISSUER)
        .setAudience(JWT_AUDIENCE)
        .setExpirationTime(now + 600),
    );
    expect((await me(control)).statusCode).toBe(200);
    for (const [name, token] of Object.entries(attacks)) {
      const response = await me(token);
      expect(response.statusCode, name).toBe(401);
      expect(response.json(), name).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    }
    const noHeader = await server.app.inject({ method: 'GET', url: '/v1/me' });
    expect(noHeader.statusCode).toBe(401);
    const basic = await server.app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: { authorization: 'Basic abc' },
    });
    expect(basic.statusCode).toBe(401);
  });
});

describe('API keys', () => {
  it('shows a key once, stores only its hash, works as a Bearer token, and is refused at once when revoked', async () => {
    const created = await server.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: bearer(owner.token),
      payload: { name: 'ci', role: 'member' },
    });
    expect(created.statusCode).toBe(201);
    const { key: apiKey, id } = created.json() as { key: string; id: string };
    expect(apiKey).toMatch(/^aek_/);
    const listed = await server.app.inject({
      method: 'GET',
      url: '/v1/api-keys',
      headers: bearer(owner.token),
    });
    expect(listed.body).not.toContain(apiKey);
    expect(listed.body).not.toContain(apiKey.slice(-43));
    const stored = await server.context.store.database.query<{ key_hash: string }>(
      'SELECT key_hash FROM api_keys',
    );
    expect(JSON.stringify(stored)).not.toContain(apiKey.slice(-43));

    const viaKey = await me(apiKey);
    expect(viaKey.statusCode).toBe(200);
    expect(viaKey.json()).toMatchObject({ via: 'api-key', user: { role: 'member' } });
    // A key's role is its own: a member key cannot manage agents.
    const forbidden = await server.app.inject({
      method: 'POST',
      url: '/v1/invites',
      headers: bearer(apiKey),
      payload: {},
    });
    expect(forbidden.statusCode).toBe(403);
    // A tampered secret is refused.
    expect((await me(`${apiKey.slice(0, -1)}${apiKey.endsWith('A') ? 'B' : 'A'}`)).statusCode).toBe(401);

    const revoked = await server.app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${id}`,
      headers: bearer(owner.token),
    });
    expect(revoked.statusCode).toBe(204);
    const after = await me(apiKey);
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  });
});

describe('roles and invites', () => {
  it('lets admins invite; viewers read but cannot run goals; members cannot manage agents', async () => {
    const invite = async (role: string) => {
      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/invites',
        headers: bearer(owner.token),
        payload: { role, email: `${role}@auth-co.test` },
      });
      expect(response.statusCode).toBe(201);
      return (response.json() as { token: string }).token;
    };
    const join = async (role: string, token: string) => {
      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/auth/signup',
        payload: {
          email: `${role}@auth-co.test`,
          password: 'long-enough-password',
          subdomain: 'auth-co',
          inviteToken: token,
        },
      });
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json()).toMatchObject({ tenant: { id: owner.tenantId }, user: { role } });
      return (response.json() as { token: string }).token;
    };
    const viewerInvite = await invite('viewer');
    const viewer = await join('viewer', viewerInvite);
    const reuse = await server.app.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: {
        email: 'viewer@auth-co.test',
        password: 'long-enough-password',
        subdomain: 'auth-co',
        inviteToken: viewerInvite,
      },
    });
    expect(reuse.statusCode).toBe(403);
    const member = await join('member', await invite('member'));

    expect(
      (await server.app.inject({ method: 'GET', url: '/v1/runs', headers: bearer(viewer) })).statusCode,
    ).toBe(200);
    const viewerRun = await server.app.inject({
      method: 'POST',
      url: '/v1/runs',
      headers: bearer(viewer),
      payload: { goal: 'x' },
    });
    expect(viewerRun.statusCode).toBe(403);
    expect(viewerRun.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const memberAgent = await server.app.inject({
      method: 'PUT',
      url: '/v1/agents/writer',
      headers: bearer(member),
      payload: { id: 'writer', name: 'W', tier: 'worker', systemPrompt: 'p' },
    });
    expect(memberAgent.statusCode).toBe(403);
    const members = await server.app.inject({ method: 'GET', url: '/v1/members', headers: bearer(member) });
    expect((members.json() as { members: unknown[] }).members.length).toBe(3);
  });

  it('needs an invite to sign up once a server has members, in invite mode', async () => {
    const strict = await startTestServer({ settings: { server: { signup: 'invite' } } });
    try {
      const first = await signUp(strict.app, 'first-co');
      const refused = await strict.app.inject({
        method: 'POST',
        url: '/v1/auth/signup',
        payload: { email: 'b@second.test', password: 'long-enough-password', subdomain: 'second-co' },
      });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ error: { code: 'SIGNUP_INVITE_REQUIRED' } });
      const invite = await strict.app.inject({
        method: 'POST',
        url: '/v1/invites',
        headers: bearer(first.token),
        payload: { kind: 'workspace' },
      });
      const token = (invite.json() as { token: string }).token;
      const taken = await strict.app.inject({
        method: 'POST',
        url: '/v1/auth/signup',
        payload: {
          email: 'b@second.test',
          password: 'long-enough-password',
          subdomain: 'first-co',
          inviteToken: token,
        },
      });
      expect(taken.statusCode).toBe(409);
      // The failed attempt did not use the invite up (one transaction).
      const ok = await strict.app.inject({
        method: 'POST',
        url: '/v1/auth/signup',
        payload: {
          email: 'b@second.test',
          password: 'long-enough-password',
          subdomain: 'second-co',
          inviteToken: token,
        },
      });
      expect(ok.statusCode, ok.body).toBe(201);
      expect(ok.json()).toMatchObject({ tenant: { subdomain: 'second-co' }, user: { role: 'owner' } });
    } finally {
      await strict.dispose();
    }
  });
});

describe('rate limits', () => {
  it('limits auth routes per address and other routes per tenant and route', async () => {
    const limited = await startTestServer({
      settings: { server: { authRateLimitPerMinute: 3, rateLimitPerMinute: 5 } },
    });
    try {
      const a = await signUp(limited.app, 'limit-a');
      const b = await signUp(limited.app, 'limit-b');
      const login = () =>
        limited.app.inject({
          method: 'POST',
          url: '/v1/auth/login',
          payload: { email: a.email, password: 'wrong-password!', subdomain: 'limit-a' },
        });
      for (let index = 0; index < 3; index++) expect((await login()).statusCode).toBe(401);
      const refused = await login();
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
      const list = (token: string, url = '/v1/runs') =>
        limited.app.inject({ method: 'GET', url, headers: bearer(token) });
      for (let index = 0; index < 5; index++) expect((await list(a.token)).statusCode).toBe(200);
      expect((await list(a.token)).statusCode).toBe(429);
      // Another route of the same tenant, and the same route of another tenant, have their own budgets.
      expect((await list(a.token, '/v1/agents')).statusCode).toBe(200);
      expect((await list(b.token)).statusCode).toBe(200);
    } finally {
      await limited.dispose();
    }
  });
});

describe('audit log', () => {
  it('records state-changing requests with passwords, tokens and emails masked', async () => {
    const response = await server.app.inject({
      method: 'GET',
      url: '/v1/audit?limit=200',
      headers: bearer(owner.token),
    });
    expect(response.statusCode).toBe(200);
    const entries = (response.json() as { entries: Array<{ action: string; status: number }> }).entries;
    expect(entries.some((entry) => entry.action === 'POST /v1/auth/signup' && entry.status === 201)).toBe(
      true,
    );
    expect(entries.some((entry) => entry.action === 'POST /v1/api-keys')).toBe(true);
    expect(entries.some((entry) => entry.action === 'DELETE /v1/api-keys/:id' && entry.status === 204)).toBe(
      true,
    );
    expect(entries.some((entry) => entry.action === 'POST /v1/runs' && entry.status === 413)).toBe(true);
    expect(response.body).not.toContain(owner.password);
    expect(response.body).not.toContain('long-enough-password');
    expect(response.body).not.toContain('owner@auth-co.test');
    expect(response.body).not.toMatch(/aei_[A-Za-z0-9_-]{20}/);
    // Append-only for the application role.
    await expect(
      server.context.store.database.transaction(async (tx) => {
        await tx.query(
          `SELECT set_config('role', 'aether_app', true), set_config('app.tenant_id', $1, true)`,
          [owner.tenantId],
        );
        await tx.query('DELETE FROM audit_log');
      }),
    ).rejects.toThrow(/permission denied/);
  });
});
