import { AetherError } from '@aether/core';

/** A tenant-scoped write named a tenant that does not exist. */
export function tenantNotFound(tenantId: string, cause?: unknown): AetherError {
  return new AetherError('TENANT_NOT_FOUND', `no tenant ${tenantId}`, {
    category: 'user',
    hint: 'create the tenant first (store.tenants.ensure)',
    cause,
  });
}
