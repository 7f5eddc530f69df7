import type { JsonObject, JsonValue } from '@aether/core';

/** What stands in for a masked value. */
export const MASKED = '[masked]';

const SECRET_KEY = /pass|token|secret|key|authori[sz]ation|credential|cookie|^value$/i;
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
const BEARER = /\b(aek|aei)_[A-Za-z0-9_-]{8,}|\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

/**
 * A copy of `value` fit for the audit log: fields named like secrets (password, token, key,
 * secret, authorization, value) replaced by {@link MASKED}, emails reduced to their first
 * letter and domain, API keys, invite tokens and JWTs anywhere in text masked.
 */
export function maskForAudit(value: JsonValue): JsonValue {
  if (typeof value === 'string') return maskText(value);
  if (Array.isArray(value)) return value.map(maskForAudit);
  if (value !== null && typeof value === 'object') {
    const masked: JsonObject = {};
    for (const [key, item] of Object.entries(value))
      masked[key] = SECRET_KEY.test(key) ? MASKED : maskForAudit(item);
    return masked;
  }
  return value;
}

/** Masks emails and bearer credentials inside a string. */
export function maskText(text: string): string {
  return text.replace(BEARER, MASKED).replace(EMAIL, '$1***@$2');
}
