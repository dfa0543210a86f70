/** The workflow's current time as ISO text: replay-safe, since the SDK makes `Date` deterministic. */
export function nowIso(): string {
  return new Date().toISOString();
}
