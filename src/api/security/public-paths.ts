/**
 * Paths anyone may call without an API key and without counting against rate limits: probes,
 * scrapers and the API description. Everything else (all of /api) is protected, deny by default,
 * and matched case-insensitively like the router does.
 */
const PUBLIC_PATHS = new Set(['/health', '/metrics', '/openapi.json', '/docs']);

export function isPublicPath(path: string): boolean {
  const normalized = path.toLowerCase().replace(/\/+$/, '');
  return PUBLIC_PATHS.has(normalized);
}
