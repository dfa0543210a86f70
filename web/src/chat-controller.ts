import { ApiProblem, getJson, headers, problemOf, sendJson } from './api-client';
import type { ApprovalDecision } from './approval-card';
import { readSse } from './sse-reader';
import { applyEvent, isFinished, newTurn, type TurnState } from './turn-state';
import { keepRunningTurns, runningTurns } from './turn-memory';

export interface ChatView {
  sessionId?: string;
  turns: TurnState[];
  /** The connection to a running turn broke; the page is trying again by itself. */
  reconnecting: boolean;
  /** A page-level sentence (the history could not load, ...). */
  notice?: string;
  needKey: boolean;
}

export interface SendOptions {
  useTools: boolean;
  model?: string;
}

interface HistoryMessage {
  role: 'user' | 'assistant';
  content: string;
  turn_id: string;
  tools_used?: string[];
  model_used?: string | null;
  status?: string;
}

interface Snapshot {
  current_turn: { turn_id: string; user_message?: string } | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Archived turns as finished turn states (the archive keeps the answer, not its stream). */
function turnsFromHistory(messages: HistoryMessage[]): TurnState[] {
  const turns = new Map<string, TurnState>();
  for (const m of messages) {
    const turn = turns.get(m.turn_id) ?? { ...newTurn(m.turn_id, ''), turnId: m.turn_id, status: 'completed' };
    if (m.role === 'user') turn.userText = m.content;
    else {
      turn.segments = [
        ...(m.tools_used?.length ? [{ kind: 'note' as const, text: `Tools used: ${m.tools_used.join(', ')}` }] : []),
        { kind: 'text', step: 0, text: m.content },
      ];
      turn.model = m.model_used ?? undefined;
      turn.status = m.status === 'cancelled' ? 'cancelled' : m.status === 'failed' ? 'failed' : 'completed';
    }
    turns.set(m.turn_id, turn);
  }
  return [...turns.values()];
}

/** The open chat: its turns, sending, stopping, and following running turns across drops and reloads. */
export class ChatController {
  view: ChatView = { turns: [], reconnecting: false, needKey: false };
  /** Bumped when another session opens: streams of the previous one stop updating the view. */
  private generation = 0;
  private aborts = new Set<AbortController>();
  private counter = 0;

  constructor(
    private readonly changed: () => void,
    private readonly sessionStarted: (sessionId: string) => void,
    /** A turn ended: the session's turns and cost changed. */
    private readonly turnEnded: () => void,
  ) {}

  private set(patch: Partial<ChatView>): void {
    this.view = { ...this.view, ...patch };
    if (this.view.sessionId) keepRunningTurns(this.view.sessionId, this.view.turns);
    this.changed();
  }

  private updateTurn(key: string, update: (turn: TurnState) => TurnState): void {
    this.set({ turns: this.view.turns.map((t) => (t.key === key ? update(t) : t)) });
  }

  private turn(key: string): TurnState | undefined {
    return this.view.turns.find((t) => t.key === key);
  }

  private problem(err: unknown): string {
    if (err instanceof ApiProblem) {
      if (err.status === 401) this.set({ needKey: true });
      return err.message;
    }
    return 'The server cannot be reached. Check that it is running, then try again.';
  }

  async open(sessionId: string | undefined): Promise<void> {
    const generation = ++this.generation;
    for (const abort of this.aborts) abort.abort();
    this.aborts.clear();
    this.view = { turns: [], reconnecting: false, needKey: this.view.needKey, sessionId };
    this.changed();
    if (!sessionId) return;
    try {
      const history = await getJson<{ messages: HistoryMessage[] }>(`/api/chat/history/${sessionId}`);
      if (generation !== this.generation) return;
      const archived = turnsFromHistory(history.messages);
      const done = new Set(archived.map((t) => t.turnId));
      const running = runningTurns(sessionId).filter((t) => !done.has(t.turnId));
      if (running.length === 0) {
        // Another tab (or a shared link) may be watching a turn this page never saw start.
        const snapshot = await getJson<Snapshot>(`/api/chat/session/${sessionId}`);
        const current = snapshot.current_turn;
        if (current && !done.has(current.turn_id))
          running.push({ ...newTurn(current.turn_id, current.user_message ?? ''), turnId: current.turn_id });
      }
      if (generation !== this.generation) return;
      this.set({ turns: [...archived, ...running] });
      for (const turn of running) void this.follow(turn.key, generation);
    } catch (err) {
      if (generation === this.generation) this.set({ notice: this.problem(err) });
    }
  }

  async send(text: string, options: SendOptions): Promise<void> {
    const generation = this.generation;
    const key = `local-${Date.now()}-${this.counter++}`;
    this.set({ turns: [...this.view.turns, newTurn(key, text)], notice: undefined });
    const abort = new AbortController();
    this.aborts.add(abort);
    let response: Response;
    try {
      response = await fetch('/api/chat/message/stream', {
        method: 'POST',
        headers: headers({ 'Content-Type': 'application/json' }),
        body: JSON.stringify({
          message: text,
          ...(this.view.sessionId ? { session_id: this.view.sessionId } : {}),
          use_tools: options.useTools,
          ...(options.model ? { model: options.model } : {}),
        }),
        signal: abort.signal,
      });
      if (!response.ok) throw await problemOf(response);
    } catch (err) {
      this.aborts.delete(abort);
      if (generation === this.generation)
        this.updateTurn(key, (t) => ({ ...t, status: 'failed', problem: this.problem(err) }));
      return;
    }
    try {
      await this.consume(key, response.body as ReadableStream<Uint8Array>, generation);
    } catch {
      // the stream broke: follow the turn on the session's event stream below
    } finally {
      this.aborts.delete(abort);
    }
    const turn = this.turn(key);
    if (generation === this.generation && turn?.turnId && !isFinished(turn)) await this.follow(key, generation);
  }

  /** Reads one stream into the turn; a metadata event names the turn (and the session, for a new chat). */
  private async consume(key: string, body: ReadableStream<Uint8Array>, generation: number): Promise<void> {
    for await (const event of readSse(body)) {
      if (generation !== this.generation) return;
      const data = JSON.parse(event.data) as Record<string, unknown>;
      if (event.event === 'metadata' && !this.view.sessionId) {
        this.set({ sessionId: data.session_id as string });
        this.sessionStarted(data.session_id as string);
      }
      if (event.event === 'stream_expired') {
        this.updateTurn(key, (t) => ({
          ...t,
          status: 'failed',
          problem: 'This answer is too old to resume; reload the page to read it from the history.',
        }));
        return;
      }
      if (this.view.reconnecting) this.set({ reconnecting: false });
      this.updateTurn(key, (t) => applyEvent(t, event.event, data, event.id));
      if (isFinished(this.turn(key) as TurnState)) {
        this.turnEnded();
        return;
      }
    }
  }

  /** Follows a running turn on the session's event stream, after its last event, until it ends; retries by itself. */
  private async follow(key: string, generation: number): Promise<void> {
    let delay = 500;
    while (generation === this.generation) {
      const turn = this.turn(key);
      if (!turn?.turnId || isFinished(turn)) break;
      const abort = new AbortController();
      this.aborts.add(abort);
      try {
        const response = await fetch(
          `/api/chat/session/${this.view.sessionId}/events?until=done&turn_id=${turn.turnId}`,
          { headers: headers(turn.lastEventId ? { 'Last-Event-ID': turn.lastEventId } : {}), signal: abort.signal },
        );
        if (response.status === 401 || response.status === 404) throw await problemOf(response);
        if (response.ok) {
          delay = 500;
          await this.consume(key, response.body as ReadableStream<Uint8Array>, generation);
        }
      } catch (err) {
        if (err instanceof ApiProblem) {
          this.updateTurn(key, (t) => ({ ...t, status: 'failed', problem: this.problem(err) }));
          break;
        }
      } finally {
        this.aborts.delete(abort);
      }
      const after = this.turn(key);
      if (!after || isFinished(after) || generation !== this.generation) break;
      this.set({ reconnecting: true });
      await sleep(delay);
      delay = Math.min(delay * 2, 3000);
    }
    if (generation === this.generation && this.view.reconnecting) this.set({ reconnecting: false });
  }

  /** Asks the API to stop the running turn (not the same as leaving: the turn would go on without us). */
  async stop(): Promise<void> {
    const running = this.view.turns.find((t) => t.status === 'streaming' && t.turnId);
    if (!running || !this.view.sessionId) return;
    try {
      await sendJson('POST', `/api/chat/session/${this.view.sessionId}/cancel`, { turn_id: running.turnId });
    } catch (err) {
      this.set({ notice: this.problem(err) });
    }
  }

  /**
   * Decides a tool call waiting for approval (POST …/tool-calls/{call_id}/approval); the card
   * changes when the stream's approval_resolved arrives. Answers the refusal's sentence, if any.
   */
  async decide(callId: string, decision: ApprovalDecision): Promise<string | undefined> {
    if (!this.view.sessionId) return 'This chat has no session yet.';
    try {
      await sendJson(
        'POST',
        `/api/chat/session/${this.view.sessionId}/tool-calls/${encodeURIComponent(callId)}/approval`,
        decision,
      );
      return undefined;
    } catch (err) {
      return this.problem(err);
    }
  }

  keyNeeded(): void {
    this.set({ needKey: true });
  }

  keyAccepted(): void {
    this.set({ needKey: false });
  }
}
