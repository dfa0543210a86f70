import type { SessionSnapshot } from '../../src/contract/session';
import { cachedHistoryIsCurrent } from '../../src/api/sessions/cached-history-is-current';

function snapshotOf(turns: number): SessionSnapshot {
  return {
    session_id: '6f1c1a52-5d1e-4f0e-9d4c-0c6a3b0f2a11',
    owner: 'anonymous',
    title: 'hello',
    status: 'active',
    created_at: '2026-12-03T10:00:00.000Z',
    last_activity_at: '2026-12-03T10:00:00.000Z',
    turns,
    tokens_used: 0,
    cost: 0,
    messages: [],
    current_turn: null,
  };
}

describe('whether a cached history answer is the archive answer now', () => {
  it('when the snapshot has the cached turn count and no turn is being archived then it is current', () => {
    expect(cachedHistoryIsCurrent({ turns: 3 }, { snapshot: snapshotOf(3), archiving: false })).toBe(true);
  });

  it('when a turn is being archived then it is not current', () => {
    expect(cachedHistoryIsCurrent({ turns: 3 }, { snapshot: snapshotOf(3), archiving: true })).toBe(false);
  });

  it('when the snapshot counts more turns than the cache holds then it is not current', () => {
    expect(cachedHistoryIsCurrent({ turns: 3 }, { snapshot: snapshotOf(4), archiving: false })).toBe(false);
  });

  it('when the snapshot is older than the cached answer then it is not current', () => {
    expect(cachedHistoryIsCurrent({ turns: 3 }, { snapshot: snapshotOf(2), archiving: false })).toBe(false);
  });

  it('when there is no snapshot then it is not current', () => {
    expect(cachedHistoryIsCurrent({ turns: 0 }, { snapshot: null, archiving: false })).toBe(false);
  });

  it('when nothing is cached then it is not current', () => {
    expect(cachedHistoryIsCurrent(undefined, { snapshot: snapshotOf(0), archiving: false })).toBe(false);
  });
});
