import { ApplicationFailure } from '@temporalio/common';
import OpenAI from 'openai';

import { MODEL_FAILURE_TYPES } from '../contract/model-failure';

/** Providers say "tools not supported" in several ways (OpenRouter: 404 "No endpoints found that support tool use"). */
const TOOLS_UNSUPPORTED =
  /tool[_ ]?(use|calling|calls|choice)?[^.]*not (supported|available)|support tool|does not support tools/i;

function retryAfterMs(headers: Headers | undefined): number | undefined {
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/**
 * Turns a provider failure into a Temporal failure whose type and retryability say what
 * should happen next: auth and bad requests stop, rate limits wait for Retry-After,
 * server errors and broken connections retry.
 */
export function classifyModelError(err: unknown, model: string): Error {
  if (err instanceof OpenAI.APIUserAbortError) return err;
  if (err instanceof OpenAI.APIConnectionError) {
    return ApplicationFailure.create({
      type: MODEL_FAILURE_TYPES.unavailable,
      message: `${model}: ${err.message}`,
      cause: err,
    });
  }
  if (err instanceof OpenAI.APIError && err.status !== undefined) {
    const message = `${model}: HTTP ${err.status} ${err.message}`;
    if (err.status === 401 || err.status === 403) {
      return ApplicationFailure.create({
        type: MODEL_FAILURE_TYPES.auth,
        message: `${message} (invalid API key?)`,
        nonRetryable: true,
      });
    }
    if (err.status === 429) {
      const delay = retryAfterMs(err.headers as Headers | undefined);
      return ApplicationFailure.create({
        type: MODEL_FAILURE_TYPES.rateLimited,
        message,
        ...(delay !== undefined ? { nextRetryDelay: Math.min(delay, 60_000) } : {}),
      });
    }
    if ((err.status === 400 || err.status === 404) && TOOLS_UNSUPPORTED.test(err.message)) {
      return ApplicationFailure.create({ type: MODEL_FAILURE_TYPES.toolsUnsupported, message, nonRetryable: true });
    }
    if (err.status >= 500) return ApplicationFailure.create({ type: MODEL_FAILURE_TYPES.server, message });
    if (err.status === 408) return ApplicationFailure.create({ type: MODEL_FAILURE_TYPES.unavailable, message });
    return ApplicationFailure.create({ type: MODEL_FAILURE_TYPES.badRequest, message, nonRetryable: true });
  }
  const message = err instanceof Error ? err.message : String(err);
  return ApplicationFailure.create({ type: MODEL_FAILURE_TYPES.unavailable, message: `${model}: ${message}` });
}
