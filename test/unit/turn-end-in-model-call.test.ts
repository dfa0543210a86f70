import { finishTurnInModelCall, republishFinishedTurn, type TurnEndDeps } from '../../activities/turn-end';
import type { CallModelInput, CallModelResult, TurnFinish } from '../../src/contract/activity-io';
import type { ChatMessage } from '../../src/contract/chat-message';
import type { SessionEvent } from '../../src/contract/event-catalog';
import type { TurnResult } from '../../src/contract/turn';

const SESSION_ID = '00000000-0000-4000-8000-000000000003';
const TURN_ID = '00000000-0000-4000-8000-000000000004';

const finish: TurnFinish = {
  usage: { model_used: 'm', model_calls: [], models_tried: [], tools_used: [], offline_fallback: false },
  archive: { metadata: {}, session: { owner: 'o', created_at: '2026-12-03T00:00:00.000Z', title: 'hello' }, seq: 1 },
  snapshot: {
    session_id: SESSION_ID,
    owner: 'o',
    title: 'hello',
    status: 'active',
    created_at: '2026-12-03T00:00:00.000Z',
    last_activity_at: '2026-12-03T00:00:00.000Z',
    turns: 1,
    tokens_used: 100,
    cost: 0.5,
    messages: [],
    current_turn: null,
    pending_approvals: [],
  },
  by_reference: { turns: { from: 1, to: 1 } },
};

const input = {
  session_id: SESSION_ID,
  turn_id: TURN_ID,
  step: 1,
  model: 'm',
  messages: [],
  turn_messages: [{ stored: `${TURN_ID}:u` }],
  use_tools: false,
  temperature: 0,
  max_tokens: 10,
  finish,
} satisfies CallModelInput;

const answer: CallModelResult = {
  model: 'm',
  content: 'the answer',
  tool_calls: [],
  finish_reason: 'stop',
  prompt_tokens: 7,
  completion_tokens: 3,
  usage_estimated: false,
  cost: 0.01,
};

const user: ChatMessage = { role: 'user', content: 'hello', turn_id: TURN_ID, created_at: '2026-12-03T00:00:01.000Z' };

/** Stores that record every write in order; the archive keeps the first result per turn, as the real one does. */
function recordingStores(archivedBefore?: TurnResult) {
  const calls: string[] = [];
  let archived = archivedBefore;
  const published: { snapshot?: unknown; events: SessionEvent[] } = { events: [] };
  const step = (name: string) => () => Promise.resolve(void calls.push(name));
  const deps = {
    snapshots: {
      markArchiving: step('mark archiving'),
      put: (snapshot: unknown) => ((published.snapshot = snapshot), step('put snapshot')()),
      clearLive: step('clear live'),
    },
    history: {
      archiveTurn: (row: { result: TurnResult }) => ((archived ??= row.result), step('archive row')()),
      turnResult: () => Promise.resolve(archived),
      turnMessages: () => Promise.resolve([]),
    },
    sessionRecords: { transaction: (work: (trx: unknown) => Promise<void>) => work({}), refreshTotals: step('totals') },
    conversation: {
      messages: () => Promise.resolve([user]),
      putTurn: step('conversation turn'),
      turns: () => Promise.resolve([[user, { role: 'assistant', content: 'the answer', turn_id: TURN_ID }]]),
    },
    events: {
      append: (_id: string, events: SessionEvent[]) => {
        calls.push('append events');
        published.events.push(...events);
        return Promise.resolve(['1700000000000-0']);
      },
    },
  } as unknown as TurnEndDeps;
  return { deps, calls, published };
}

const never = new AbortController().signal;

/** A turn an earlier attempt archived, with `response`, answered at step 1 (7 + 3 tokens). */
function archivedResult(response: string): TurnResult {
  return {
    session_id: SESSION_ID,
    turn_id: TURN_ID,
    status: 'completed',
    response,
    steps: 1,
    model_used: 'm',
    created_at: '2026-12-03T00:00:02.000Z',
    tokens_used: 10,
    cost: 0.01,
    model_calls: [{ model: 'm', step: 1, prompt_tokens: 7, completion_tokens: 3, usage_estimated: false, cost: 0.01 }],
  } as unknown as TurnResult;
}

/** A model call that got a final answer ends the turn: archive first, then publish; what it returns is the archive's. */
describe('the turn ended by its model call (activities/turn-end.ts)', () => {
  it('when the answer is final then the archive row is written before the snapshot and done are published', async () => {
    const { deps, calls, published } = recordingStores();
    const finished = await finishTurnInModelCall(deps, input, answer, never, () => undefined);

    expect(calls.slice(0, 4)).toEqual(['mark archiving', 'archive row', 'totals', 'conversation turn']);
    expect(calls.slice(4).sort()).toEqual(['append events', 'clear live', 'put snapshot']);
    expect(finished?.done_id).toBe('1700000000000-0');
    expect(finished?.result).toEqual(expect.objectContaining({ status: 'completed', tokens_used: 10, cost: 0.01 }));
    expect(finished?.result).not.toHaveProperty('response');
    expect(published.events.map((e) => e.type)).toEqual(['done']);
    expect(published.events[0].data).toEqual(expect.objectContaining({ turn_id: TURN_ID, response: 'the answer' }));
    // The snapshot's totals are the session's before the turn plus the turn's; its messages are loaded by reference.
    const snapshot = published.snapshot as {
      tokens_used: number;
      cost: number;
      last_activity_at: string;
      messages: ChatMessage[];
    };
    expect([snapshot.tokens_used, snapshot.cost]).toEqual([110, 0.51]);
    expect(snapshot.last_activity_at).toBe(finished?.result.created_at);
    expect(snapshot.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  });

  it('when an earlier attempt archived the turn then the result returned and published is the archived one', async () => {
    const first = archivedResult('first answer');
    const { deps, published } = recordingStores(first);
    const finished = await finishTurnInModelCall(deps, input, answer, never, () => undefined);

    expect(finished?.result.created_at).toBe('2026-12-03T00:00:02.000Z');
    expect(published.events[0].data).toEqual(expect.objectContaining({ response: 'first answer' }));
  });

  it('when a retried call finds its turn archived then it publishes it again and answers with the archived text', async () => {
    const archived = archivedResult('kept');
    const { deps, calls } = recordingStores(archived);
    const again = await republishFinishedTurn(deps, input);

    expect(calls).not.toContain('archive row');
    expect(calls).toContain('append events');
    expect(again).toEqual(
      expect.objectContaining({ content: 'kept', prompt_tokens: 7, completion_tokens: 3, tool_calls: [] }),
    );
    expect(again?.finished?.result.created_at).toBe('2026-12-03T00:00:02.000Z');
  });

  it('when a retried call finds no archived turn then it leaves the call to the model', async () => {
    const { deps, calls } = recordingStores();
    expect(await republishFinishedTurn(deps, input)).toBeUndefined();
    expect(calls).toEqual([]);
  });
});
