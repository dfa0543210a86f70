import type { z } from 'zod';
import { ValidationError } from '../../errors';

/** Parses `input` or throws a ValidationError whose details name each bad field. */
export function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    field: issue.path.join('.') || '(body)',
    message: issue.message,
  }));
  throw new ValidationError(`Invalid ${what}: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
}
