import type { temporal } from '@temporalio/proto';
import { userMessageSignal } from '../../../src/contract/session-workflow';
import { useWorkflowTestEnv, userMessage, within } from '../../helpers/workflow-test-env';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The events from the last signal to the end of the history: the last turn's share. */
function lastTurn(events: HistoryEvent[]): HistoryEvent[] {
  const from = events.reduce((last, e, i) => (e.workflowExecutionSignaledEventAttributes ? i : last), -1);
  return events.slice(from);
}

const count = (events: HistoryEvent[], has: (e: HistoryEvent) => unknown) => events.filter((e) => has(e)).length;

/** What a turn costs in the workflow's history (issue 17 point 1). */
describe('chatSessionWorkflow history per turn (stub activities)', () => {
  const t = useWorkflowTestEnv();

  it('when a plain turn follows another then it takes 2 workflow tasks, callModel and one local-activity marker: 11 events', async () => {
    // The stubs keep no conversation store: by reference, each call would be refused once and made again inline.
    const session = await t.startSession({ history_by_reference: false });
    await session.signal(userMessageSignal, userMessage('first'));
    await t.waitForTurnsEnded(session, 1);
    await session.signal(userMessageSignal, userMessage('second'));
    await t.waitForTurnsEnded(session, 2);
    // The upsert follows the turn's end in the same workflow task: wait for it to be recorded.
    await t.waitForState(session, (s) => s.turns === 2);

    const turn = lastTurn((await session.fetchHistory()).events ?? []);
    expect(count(turn, (e) => e.workflowTaskCompletedEventAttributes)).toBe(2);
    expect(turn.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? [])).toEqual([
      'callModel',
    ]);
    expect(count(turn, (e) => e.markerRecordedEventAttributes)).toBe(1);
    expect(count(turn, (e) => e.timerStartedEventAttributes ?? e.timerCanceledEventAttributes)).toBe(0);
    // The test server has no Chat* search attributes (search_attributes off): no upsert here; with them, one (12 events).
    expect(turn).toHaveLength(11);
  });

  it('when a turn ends then its archive is recorded before its done event is published, in one local activity', async () => {
    const session = await t.startSession();
    const publish = t.stubs.holdStore(session.sessionId, 'mirrorSession');
    await session.signal(userMessageSignal, userMessage('archive me first'));
    await within(publish.started, 'the publish of the turn');

    expect(t.stubs.archived(session.sessionId).map((a) => a.user_message)).toEqual(['archive me first']);
    expect(t.stubs.mirrored(session.sessionId)).toEqual([]);
    publish.release();
    const ended = await t.waitForTurnsEnded(session, 1);
    expect(ended.map((e) => e.type)).toEqual(['done']);
  });

  it('when several turns run within one idle period then the run sets one idle timer and cancels none', async () => {
    const session = await t.startSession({ idle_timeout: '1 hour' });
    for (let i = 1; i <= 4; i++) {
      await session.signal(userMessageSignal, userMessage(`turn ${i}`));
      await t.waitForTurnsEnded(session, i);
    }

    const events = (await session.fetchHistory()).events ?? [];
    expect(count(events, (e) => e.timerStartedEventAttributes)).toBe(1);
    expect(count(events, (e) => e.timerCanceledEventAttributes)).toBe(0);
  });

  it('when the idle timer fires while a turn runs then the session ends idle_timeout after that turn, not at the timer', async () => {
    // Real seconds: the dev server's clock is not skipped here (session-end.test.ts says why).
    const session = await t.startSession({ idle_timeout: '2 seconds' });
    const held = await t.startHeldTurn(session, userMessage('longer than the idle period'));
    await new Promise((r) => setTimeout(r, 2_500));
    held.release();

    const view = await within(session.result(), 'idle end', 15_000);
    expect(view.turns).toBe(1);
    const events = (await session.fetchHistory()).events ?? [];
    const time = (e: HistoryEvent | undefined) =>
      Number(e?.eventTime?.seconds ?? 0) * 1000 + (e?.eventTime?.nanos ?? 0) / 1e6;
    const turnEnd = events.find((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
    expect(time(events.at(-1)) - time(turnEnd)).toBeGreaterThanOrEqual(2_000);
    expect(count(events, (e) => e.timerFiredEventAttributes)).toBeGreaterThanOrEqual(2);
  });
});
