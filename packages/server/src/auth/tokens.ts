import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AetherError, type MemberRole } from '@aether/core';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';

/** The one algorithm tokens are signed and verified with (no `alg` negotiation). */
export const JWT_ALGORITHM = 'HS256';
/** Issuer of Aether's tokens. */
export const JWT_ISSUER = 'aether';
/** Audience of Aether's API tokens. */
export const JWT_AUDIENCE = 'aether-api';

/** What an Aether JWT says about its bearer. */
export interface TokenClaims {
  tenantId: string;
  userId: string;
}

/** Signs and verifies log-in tokens with one HMAC key. */
export interface TokenSigner {
  sign(claims: TokenClaims): Promise<string>;
  /** The claims of a valid token; `UNAUTHENTICATED` for anything else (bad signature, alg, exp, aud, iss). */
  verify(token: string): Promise<TokenClaims>;
}

/** A {@link TokenSigner} over `key` (at least 32 bytes); tokens live `ttlMs`. */
export function createTokenSigner(key: Uint8Array, ttlMs: number): TokenSigner {
  if (key.length < 32) throw new AetherError('JWT_KEY_INVALID', 'the JWT key must have at least 32 bytes');
  return {
    sign: (claims) =>
      new SignJWT({ tid: claims.tenantId })
        .setProtectedHeader({ alg: JWT_ALGORITHM, typ: 'JWT' })
        .setSubject(claims.userId)
        .setIssuer(JWT_ISSUER)
        .setAudience(JWT_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(Math.floor((Date.now() + ttlMs) / 1000))
        .setJti(crypto.randomUUID())
        .sign(key),
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [JWT_ALGORITHM],
          issuer: JWT_ISSUER,
          audience: JWT_AUDIENCE,
          requiredClaims: ['exp', 'sub', 'tid'],
        });
        const tenantId = payload['tid'];
        if (typeof tenantId !== 'string' || typeof payload.sub !== 'string')
          throw unauthenticated('malformed');
        return { tenantId, userId: payload.sub };
      } catch (error) {
        if (error instanceof AetherError) throw error;
        const reason = error instanceof joseErrors.JWTExpired ? 'expired' : 'invalid';
        throw unauthenticated(reason);
      }
    },
  };
}

/** The 401 of every refused credential; says why only in broad terms. */
export function unauthenticated(reason: string): AetherError {
  return new AetherError('UNAUTHENTICATED', `the credential is ${reason}`, { category: 'user' });
}

/**
 * The JWT key: `AETHER_JWT_SECRET` (at least 32 characters) when set, else the key in
 * `keyFile`, created at random (mode 0600) the first time.
 */
export async function loadJwtKey(secret: string | undefined, keyFile: string): Promise<Uint8Array> {
  if (secret !== undefined && secret !== '') {
    if (secret.length < 32) {
      throw new AetherError('JWT_KEY_INVALID', 'AETHER_JWT_SECRET must have at least 32 characters', {
        category: 'user',
      });
    }
    return new TextEncoder().encode(secret);
  }
  try {
    const text = (await readFile(keyFile, 'utf8')).trim();
    const key = Buffer.from(text, 'base64');
    if (key.length >= 32) return key;
    throw new AetherError('JWT_KEY_INVALID', `${keyFile} does not hold a key of at least 32 bytes`, {
      category: 'user',
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  await mkdir(dirname(keyFile), { recursive: true });
  try {
    await writeFile(keyFile, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadJwtKey(undefined, keyFile);
    throw error;
  }
  await chmod(keyFile, 0o600);
  return key;
}

/** SHA-256 hex of a high-entropy secret (API keys, invite tokens): enough, and fast to check. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/** An API key: `aek_<tenant>_<key id>_<secret>` (ids without dashes, the secret base64url). */
export interface IssuedApiKey {
  id: string;
  key: string;
  prefix: string;
  keyHash: string;
}

const API_KEY = /^aek_([0-9a-f]{32})_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

/** Makes a new API key for `tenantId`. Only `keyHash` is stored; `key` is shown once. */
export function issueApiKey(tenantId: string): IssuedApiKey {
  const id = crypto.randomUUID();
  const secret = randomBytes(32).toString('base64url');
  const key = `aek_${tenantId.replaceAll('-', '')}_${id.replaceAll('-', '')}_${secret}`;
  return { id, key, prefix: key.slice(0, 12), keyHash: sha256Hex(secret) };
}

/** The parts of an API key, or undefined when `text` is not one. */
export function parseApiKey(text: string): { tenantId: string; id: string; secret: string } | undefined {
  const match = API_KEY.exec(text);
  if (match === null) return undefined;
  return { tenantId: dashed(match[1]!), id: dashed(match[2]!), secret: match[3]! };
}

/** A new invite token and its hash. */
export function issueInviteToken(): { token: string; tokenHash: string } {
  const token = `aei_${randomBytes(32).toString('base64url')}`;
  return { token, tokenHash: sha256Hex(token) };
}

function dashed(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Roles, weakest first, for comparisons. */
const RANK: Record<MemberRole, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

/** True when `role` is at least `needed`. */
export function roleAtLeast(role: MemberRole, needed: MemberRole): boolean {
  return RANK[role] >= RANK[needed];
}

/** The weaker of two roles. */
export function weakerRole(a: MemberRole, b: MemberRole): MemberRole {
  return RANK[a] <= RANK[b] ? a : b;
}
