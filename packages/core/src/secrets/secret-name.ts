import { AetherError } from '../errors.ts';

/** A secret's name: like an environment variable, 1–128 letters, digits or `_`, not starting with a digit. */
export const SECRET_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Throws `SECRET_NAME_INVALID` unless `name` matches {@link SECRET_NAME_PATTERN}. */
export function assertSecretName(name: string): void {
  if (!SECRET_NAME_PATTERN.test(name)) {
    throw new AetherError(
      'SECRET_NAME_INVALID',
      `secret name ${JSON.stringify(name.slice(0, 140))} is not valid: expected 1–128 letters, digits or _, not starting with a digit`,
      { category: 'user' },
    );
  }
}
