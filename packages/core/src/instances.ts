/**
 * Instance names match case-insensitively everywhere (`Vendas-01` is
 * `vendas-01`): operators type them by hand in env files, API calls and
 * gateway panels. This is the one spelling used for matching and Redis keys.
 */
export function instanceKey(name: string): string {
  return name.trim().toLowerCase();
}

/** A value of a map keyed by instanceKey (WUZAPI_USER_TOKENS, WUZAPI_HMAC_KEYS), looked up by any spelling. */
export function byInstance<T>(map: ReadonlyMap<string, T> | undefined, name: string): T | undefined {
  return map?.get(instanceKey(name));
}

/** The configured spelling of an instance (the gateway's own name), or the name as given when none matches. */
export function configuredSpelling(configured: readonly string[] | undefined, name: string): string {
  const key = instanceKey(name);
  return configured?.find((c) => instanceKey(c) === key) ?? name.trim();
}

/** Whether a list of configured instances (EVOLUTION_INSTANCES) holds the name, in any spelling. */
export function listsInstance(configured: readonly string[] | undefined, name: string): boolean {
  const key = instanceKey(name);
  return configured?.some((c) => instanceKey(c) === key) ?? false;
}
