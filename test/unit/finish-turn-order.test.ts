import { createActivities, type ActivityDeps } from '../../activities';
import type { ArchiveTurnInput, FinishTurnInput } from '../../src/contract/activity-io';
import type { SessionSnapshot } from '../../src/contract/session';

const result = {
  session_id: '00000000-0000-4000-8000-000000000002',
  turn_id: 'turn-1',
  status: 'completed',
  response: 'hi',
  steps: 1,
} as unknown as ArchiveTurnInput['result'];

const input: FinishTurnInput = {
  archive: { result, user_message: 'hello', metadata: {}, session: { owner: 'o', created_at: '', title: null } },
  mirror: { snapshot: { session_id: result.session_id } as SessionSnapshot, events: [] },
};

/** Every store call of finishTurn, in the order it was made (the parts it needs only). */
function recordingDeps(calls: string[]): ActivityDeps {
  const step = (name: string) => () => Promise.resolve(void calls.push(name));
  return {
    tools: { all: () => [] },
    snapshots: { markArchiving: step('mark archiving'), put: step('put snapshot'), clearLive: step('clear live') },
    history: { archiveTurn: step('archive row') },
    sessionRecords: { transaction: (work: (trx: unknown) => Promise<void>) => work({}), refreshTotals: step('totals') },
    events: { append: step('append events') },
  } as unknown as ActivityDeps;
}

/** The end of a turn: nobody may read the answer before it is archived, nor serve a history the archive outgrew. */
describe('finishTurn (the local activity that ends a turn)', () => {
  it('when a turn ends then the archiving marker comes first, then the archive row, then the snapshot and the events', async () => {
    const calls: string[] = [];
    await createActivities(recordingDeps(calls)).finishTurn(input);

    expect(calls.slice(0, 3)).toEqual(['mark archiving', 'archive row', 'totals']);
    expect(calls.slice(3).sort()).toEqual(['append events', 'clear live', 'put snapshot']);
  });
});
