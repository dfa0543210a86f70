import { ApplicationFailure } from '@temporalio/common';
import { endSessionSignal, userMessageSignal } from '../../../src/contract/session-workflow';
import { STORE_BUG_FAILURE_TYPES } from '../../../src/contract/store-failure';
import { useWorkflowTestEnv, userMessage } from '../../helpers/workflow-test-env';

/** More failures than the old retry budget (20 attempts): the session must outlast the outage. */
const OUTAGE_CALLS = 25;
/**
 * Failures of a regular activity: the server retries those about once a second, so the test
 * checks their unlimited policy in the history instead of waiting out 25.
 */
const SHORT_OUTAGE_CALLS = 3;
/** A short backoff cap, so an outage of 25 calls passes in moments. */
const FAST_RETRIES = { store_retry_max_interval_ms: 10 };

/** A store outage (Redis, SQLite) delays a session; it never ends it. */
describe('chatSessionWorkflow during a store outage (stub activities)', () => {
  const t = useWorkflowTestEnv();

  it('when archive and mirror fail longer than the old retry budget then the turn is archived once and the queued message still runs', async () => {
    const session = await t.startSession(FAST_RETRIES);
    const [first, queued] = [userMessage('during the outage'), userMessage('queued behind it')];
    const held = await t.startHeldTurn(session, first);
    await session.signal(userMessageSignal, queued);
    await t.waitForState(session, (s) => s.pending === 1);
    t.stubs.failStore(session.sessionId, 'archiveTurn', OUTAGE_CALLS);
    t.stubs.failStore(session.sessionId, 'mirrorSession', SHORT_OUTAGE_CALLS);
    held.release();

    const ended = await t.waitForTurnsEnded(session, 2);
    expect(ended.map((e) => e.type)).toEqual(['done', 'done']);
    expect(t.stubs.archived(session.sessionId).map((a) => a.user_message)).toEqual([
      'during the outage',
      'queued behind it',
    ]);
    // The turn ends in one local activity: each failed publish retries the (idempotent) archive too.
    expect(t.stubs.attemptsOf(session.sessionId, 'archiveTurn')).toBe(OUTAGE_CALLS + SHORT_OUTAGE_CALLS + 2);
    const { status } = await session.describe();
    expect(status.name).toBe('RUNNING');
  });

  it('when publishing a refusal fails then the refusal is published once the store is back and the session answers the next message', async () => {
    const session = await t.startSession(FAST_RETRIES);
    const held = await t.startHeldTurn(session, userMessage('running'));
    t.stubs.failStore(session.sessionId, 'publishEvents', SHORT_OUTAGE_CALLS);
    const refused = userMessage('too soon', { double_texting: 'reject' });
    await session.signal(userMessageSignal, refused);

    const refusal = await t.waitForPublished(session, (e) => e.type === 'error');
    expect(refusal.data).toEqual(expect.objectContaining({ turn_id: refused.turn_id, code: 'session_busy' }));
    held.release();
    await session.signal(userMessageSignal, userMessage('after the outage'));
    await t.waitForTurnsEnded(session, 2);
    expect(t.stubs.archived(session.sessionId).map((a) => a.user_message)).toEqual(['running', 'after the outage']);
  });

  it('when a store activity is scheduled then its retry policy has no attempt limit, a capped backoff and only the bug types non-retryable', async () => {
    const session = await t.startSession();
    await session.signal(userMessageSignal, userMessage('hello'));
    await t.waitForTurnsEnded(session, 1);
    await session.signal(endSessionSignal, { reason: 'done' });
    await session.result();

    const history = await session.fetchHistory();
    const recordEnd = history.events
      ?.map((e) => e.activityTaskScheduledEventAttributes)
      .find((a) => a?.activityType?.name === 'recordSessionEnd');
    expect(recordEnd?.retryPolicy?.maximumAttempts ?? 0).toBe(0);
    expect(Number(recordEnd?.retryPolicy?.maximumInterval?.seconds)).toBe(30);
    expect(recordEnd?.retryPolicy?.nonRetryableErrorTypes).toEqual(Object.values(STORE_BUG_FAILURE_TYPES));
  });

  it('when publishing a refusal fails for good (a bug) then the signal handler logs it and the session answers the next message', async () => {
    const session = await t.startSession(FAST_RETRIES);
    const held = await t.startHeldTurn(session, userMessage('running'));
    t.stubs.failStore(session.sessionId, 'publishEvents', 1, () =>
      ApplicationFailure.nonRetryable('event fails its schema', STORE_BUG_FAILURE_TYPES.invalidPayload),
    );
    await session.signal(userMessageSignal, userMessage('too soon', { double_texting: 'reject' }));
    await t.waitForState(session, () => t.stubs.attemptsOf(session.sessionId, 'publishEvents') === 1);
    held.release();

    await session.signal(userMessageSignal, userMessage('after the bug'));
    await t.waitForTurnsEnded(session, 2);
    expect(t.stubs.archived(session.sessionId).map((a) => a.user_message)).toEqual(['running', 'after the bug']);
  });
});
