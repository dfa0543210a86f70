import { applyEvent, newTurn, type TurnState } from '../../web/src/turn-state';

const TURN = '11111111-1111-4111-8111-111111111111';
const chunk = (step: number, content: string) => ({ turn_id: TURN, step, attempt: 1, model: 'm', content });
const texts = (turn: TurnState) => turn.segments.flatMap((s) => (s.kind === 'text' ? [s.text] : []));

/** The page's reading of a turn's events (web/src/turn-state.ts): what it shows as they arrive. */
describe('chat page turn state', () => {
  it('when a step is reset then its partial text is replaced by the retry, never doubled', () => {
    let turn = newTurn('k', 'hi');
    turn = applyEvent(turn, 'message', chunk(1, 'Hel'), '1-0');
    turn = applyEvent(turn, 'reset', { turn_id: TURN, step: 1, attempt: 2, model: 'm', reason: 'retry' }, '2-0');
    turn = applyEvent(turn, 'message', chunk(1, 'Hello'), '3-0');
    expect(texts(turn)).toEqual(['Hello']);
    expect(turn.segments.some((s) => s.kind === 'note' && s.text.includes('retried'))).toBe(true);
  });

  it('when an event is delivered again after a resume then it is applied once', () => {
    let turn = newTurn('k', 'hi');
    turn = applyEvent(turn, 'message', chunk(1, 'one '), '5-0');
    turn = applyEvent(turn, 'message', chunk(1, 'two'), '5-1');
    turn = applyEvent(turn, 'message', chunk(1, 'two'), '5-1');
    turn = applyEvent(turn, 'message', chunk(1, 'one '), '5-0');
    expect(texts(turn)).toEqual(['one two']);
  });

  it('when a tool is called and answers then one card shows arguments, result and the duration from the stream ids', () => {
    let turn = newTurn('k', 'calc');
    turn = applyEvent(
      turn,
      'tool_call',
      { ...chunk(1, ''), id: 'c1', name: 'calculator', arguments: '{"expression":"2*3"}' },
      '1000-0',
    );
    turn = applyEvent(
      turn,
      'tool_result',
      {
        turn_id: TURN,
        call_id: 'c1',
        name: 'calculator',
        ok: true,
        content: '{"result":6}',
        attempt: 1,
        replayed: true,
        cached: true,
      },
      '1250-0',
    );
    expect(turn.segments).toEqual([
      expect.objectContaining({
        kind: 'tool',
        name: 'calculator',
        result: '{"result":6}',
        ok: true,
        replayed: true,
        cached: true,
        durationMs: 250,
      }),
    ]);
  });

  it('when the chain switches models then the switch is shown', () => {
    const turn = applyEvent(
      newTurn('k', 'hi'),
      'model_switched',
      { ...chunk(1, ''), model: 'b', from: 'a', reason: 'ModelServerError', offline_fallback: false },
      '1-0',
    );
    expect(turn.segments).toEqual([{ kind: 'note', text: 'Switched from a to b (ModelServerError).' }]);
    expect(turn.model).toBe('b');
  });

  it('when the turn ends with a budget error then it reads as the budget sentence', () => {
    const turn = applyEvent(
      newTurn('k', 'hi'),
      'error',
      { status: 'failed', code: 'budget_exceeded', response: 'Budget spent.' },
      '1-0',
    );
    expect(turn.status).toBe('failed');
    expect(turn.problem).toMatch(/used up its budget/);
  });

  it('when a tool call waits for approval and is decided then its card shows the decision', () => {
    let turn = newTurn('k', 'delete it');
    turn = applyEvent(
      turn,
      'approval_required',
      { call_id: 'c9', turn_id: TURN, tool: 'shell', arguments: '{"cmd":"ls"}', step: 1 },
      '1-0',
    );
    expect(turn.segments).toEqual([{ kind: 'approval', callId: 'c9', tool: 'shell', arguments: '{"cmd":"ls"}' }]);
    turn = applyEvent(
      turn,
      'approval_resolved',
      { turn_id: TURN, call_id: 'c9', tool: 'shell', outcome: 'denied' },
      '2-0',
    );
    expect(turn.segments).toEqual([
      { kind: 'approval', callId: 'c9', tool: 'shell', arguments: '{"cmd":"ls"}', outcome: 'denied' },
    ]);
  });
});
