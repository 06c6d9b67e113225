/**
 * Which Microsoft 365 organisations (Entra tenants) the bot serves. The authority lists its own
 * tenant ids in ALLOWED_TENANTS; unset means every tenant (local trials only: production refuses
 * to start without the list). Tenant ids are compared case-insensitively and never validated as
 * strict GUIDs (test tools use longer ids).
 */
export function isTenantAllowed(tenantId: string | null | undefined, allowedTenants: readonly string[] | undefined): boolean {
  if (!allowedTenants) return true;
  const id = tenantId?.trim().toLowerCase();
  return Boolean(id) && allowedTenants.includes(id!);
}
