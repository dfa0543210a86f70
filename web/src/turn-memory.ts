import type { TurnState } from './turn-state';

/**
 * The turns of a session still running, kept in localStorage with their last event id: a reload
 * (or another tab) restores what was shown and resumes after that id, so nothing is lost or doubled.
 */
const keyOf = (sessionId: string) => `chat.turns.${sessionId}`;

export function runningTurns(sessionId: string): TurnState[] {
  try {
    return JSON.parse(localStorage.getItem(keyOf(sessionId)) ?? '[]') as TurnState[];
  } catch {
    return [];
  }
}

export function keepRunningTurns(sessionId: string, turns: TurnState[]): void {
  const running = turns.filter((t) => t.turnId && (t.status === 'queued' || t.status === 'streaming'));
  if (running.length === 0) localStorage.removeItem(keyOf(sessionId));
  else localStorage.setItem(keyOf(sessionId), JSON.stringify(running));
}
