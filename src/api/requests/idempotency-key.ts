import type { Context } from 'koa';
import { z } from 'zod';
import { ApiError } from '../../errors';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** A client-chosen key: printable ASCII without spaces (e.g. a UUID), at most 255 characters. */
export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
  .describe(
    'Client-chosen key (e.g. a UUID): a retry with the same key repeats the first request instead of acting again.',
  );

/** The request's Idempotency-Key, undefined when absent; 400 when it is not a valid key (or sent twice). */
export function idempotencyKeyOf(ctx: Context): string | undefined {
  const raw = ctx.get(IDEMPOTENCY_KEY_HEADER);
  if (raw === '') return undefined;
  const parsed = idempotencyKeySchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new ApiError(
    400,
    'invalid_idempotency_key',
    `Invalid ${IDEMPOTENCY_KEY_HEADER} header: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
  );
}
