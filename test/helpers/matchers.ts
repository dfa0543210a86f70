/**
 * Jest's asymmetric matchers as `unknown` instead of @types/jest's `any`, for use as property
 * values inside the objects tests expect (where an `any` would be an unsafe assignment).
 * They match exactly what `expect.any`, `expect.stringContaining` and `expect.stringMatching` match.
 */
export function anyOf(type: unknown): unknown {
  return expect.any(type);
}

export function containing(text: string): unknown {
  return expect.stringContaining(text);
}

export function matching(pattern: RegExp): unknown {
  return expect.stringMatching(pattern);
}
