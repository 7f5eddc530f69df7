import { AetherError } from '@aether/core';
import { hash, verify } from '@node-rs/argon2';

/** Shortest and longest password accepted (argon2 itself has no limit; a cap bounds the work per request). */
export const PASSWORD_LENGTH = { min: 10, max: 256 } as const;

/** Refuses a password that is too short or too long, naming the field. */
export function assertPassword(password: string): void {
  if (password.length < PASSWORD_LENGTH.min || password.length > PASSWORD_LENGTH.max) {
    throw new AetherError(
      'PASSWORD_INVALID',
      `password: expected ${PASSWORD_LENGTH.min}–${PASSWORD_LENGTH.max} characters`,
      { category: 'user' },
    );
  }
}

/** The argon2id hash of a password (PHC string, with its own salt and parameters). */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** A hash of nothing anyone knows, verified against when the user does not exist (same work, same timing). */
let decoy: Promise<string> | undefined;

/** True when `password` matches `passwordHash`; verifies against a decoy when there is no user. */
export async function verifyPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  if (password.length > PASSWORD_LENGTH.max) return false;
  if (passwordHash === undefined) {
    decoy ??= hash(crypto.randomUUID());
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
