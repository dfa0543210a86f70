import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import OpenAI from 'openai';
import type { SessionEvent } from '../../src/contract/event-catalog';
import { MODEL_FAILURE_TYPES } from '../../src/contract/model-failure';
import type { TurnResult } from '../../src/contract/turn';
import { classifyModelError } from '../../src/llm/model-error';
import * as metrics from '../../src/metrics/metrics';
import { modelCallOutcome } from '../../src/metrics/model-call-outcome';
import { TurnObserver } from '../../src/metrics/turn-observer';
import { histogram } from '../helpers/metric-values';
import { turnResult } from '../helpers/turn-result';

/**
 * Our recording code, not prom-client: the outcome labels we derive, what TurnObserver records
 * from catalog events, (the label cap and the tool activity's counts: metric-labels-and-tools.test.ts). The registry is
 * this file's own (jest loads modules per file); each test compares before and after, under
 * labels of its own.
 */
afterEach(() => jest.restoreAllMocks());

/** Sets what Date.now() answers (TurnObserver measures from the acceptance time with it). */
const clockAt = (ms: number) => jest.spyOn(Date, 'now').mockReturnValue(ms);

const turnId = randomUUID();
const sessionId = randomUUID();
const message = (turn: string, model: string, content: string): SessionEvent => ({
  type: 'message',
  data: { turn_id: turn, step: 1, attempt: 1, model, content },
});
const result = (status: TurnResult['status']): TurnResult =>
  turnResult({ session_id: sessionId, turn_id: turnId }, { status, model_used: 'm' });

describe('model call outcome labels', () => {
  it('when a call fails with each model failure type then the outcome label is its short name', () => {
    const labels = Object.fromEntries(
      Object.entries(MODEL_FAILURE_TYPES).map(([key, type]) => [
        key,
        modelCallOutcome(ApplicationFailure.create({ type, message: 'x' })),
      ]),
    );
    expect(labels).toEqual({
      auth: 'auth_error',
      badRequest: 'bad_request',
      toolsUnsupported: 'tools_unsupported',
      unknownModel: 'not_configured',
      rateLimited: 'rate_limited',
      server: 'server_error',
      unavailable: 'unavailable',
    });
  });

  it('when a failure has an unknown type or none then the outcome label is error', () => {
    expect(modelCallOutcome(ApplicationFailure.create({ type: 'SomethingElse', message: 'x' }))).toBe('error');
    expect(modelCallOutcome(new Error('plain'))).toBe('error');
    expect(modelCallOutcome(undefined)).toBe('error');
  });

  it('when providers answer 429, 401 and 503 then the classified failures are labelled rate_limited, auth_error and server_error', () => {
    const label = (status: number) =>
      modelCallOutcome(
        classifyModelError(OpenAI.APIError.generate(status, { error: { message: 'no' } }, 'no', new Headers()), 'm'),
      );
    expect([label(429), label(401), label(503)]).toEqual(['rate_limited', 'auth_error', 'server_error']);
  });
});

describe('TurnObserver', () => {
  const ttft = (model: string) =>
    histogram(metrics.timeToFirstTokenSeconds, 'chat_time_to_first_token_seconds', { model });
  const duration = (outcome: string) =>
    histogram(metrics.turnDurationSeconds, 'chat_turn_duration_seconds', { outcome });
  const minus = (a: { count: number; sum: number }, b: { count: number; sum: number }) => ({
    count: a.count - b.count,
    sum: a.sum - b.sum,
  });

  it('when the first message of the turn arrives then time to first token is recorded once, from acceptance, under the model label', async () => {
    clockAt(1_000_000);
    const seen = new TurnObserver(turnId, 1_000_000 - 1500);
    seen.see(message(turnId, 'model-ttft', 'one '));
    clockAt(1_000_000 + 5000);
    seen.see(message(turnId, 'model-ttft', 'two'));
    expect(await ttft('model-ttft')).toEqual({ count: 1, sum: 1.5 });
  });

  it('when the turn ends then its duration is recorded under its status, and later events are ignored', async () => {
    const before = { cancelled: await duration('cancelled'), completed: await duration('completed') };
    clockAt(2_000_000);
    const seen = new TurnObserver(turnId, 2_000_000 - 4250);
    seen.see({ type: 'cancelled', data: result('cancelled') });
    seen.see({ type: 'done', data: result('completed') });
    seen.see(message(turnId, 'model-late', 'late'));
    expect(minus(await duration('cancelled'), before.cancelled)).toEqual({ count: 1, sum: 4.25 });
    expect(minus(await duration('completed'), before.completed)).toEqual({ count: 0, sum: 0 });
    expect(await ttft('model-late')).toEqual({ count: 0, sum: 0 });
  });

  it('when a turn is refused or fails then the duration is recorded as rejected or failed', async () => {
    const before = { rejected: await duration('rejected'), failed: await duration('failed') };
    new TurnObserver(turnId, Date.now()).see({
      type: 'error',
      data: { turn_id: turnId, status: 'rejected', code: 'session_busy', message: 'busy' },
    });
    new TurnObserver(turnId, Date.now()).see({
      type: 'error',
      data: { ...result('failed'), error: 'all models failed' },
    });
    expect((await duration('rejected')).count - before.rejected.count).toBe(1);
    expect((await duration('failed')).count - before.failed.count).toBe(1);
  });

  it('when events of another turn arrive then nothing is recorded until its own do', async () => {
    const before = await duration('completed');
    const seen = new TurnObserver(turnId, Date.now());
    const other = randomUUID();
    seen.see(message(other, 'model-other-turn', 'not mine'));
    seen.see({ type: 'done', data: { ...result('completed'), turn_id: other } });
    expect(await ttft('model-other-turn')).toEqual({ count: 0, sum: 0 });
    expect((await duration('completed')).count).toBe(before.count);
    seen.see(message(turnId, 'model-other-turn', 'mine'));
    seen.see({ type: 'done', data: result('completed') });
    expect((await ttft('model-other-turn')).count).toBe(1);
    expect((await duration('completed')).count).toBe(before.count + 1);
  });
});
