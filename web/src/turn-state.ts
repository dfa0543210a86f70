import { sentenceFor } from './problem-sentence';

/** A tool call as the page shows it: arguments, result, whether it was a recorded (cached) result, duration. */
export interface ToolCard {
  kind: 'tool';
  id: string;
  name: string;
  arguments: string;
  result?: string;
  ok?: boolean;
  replayed?: boolean;
  /** Answered from the tool-result cache: the tool did not run. */
  cached?: boolean;
  durationMs?: number;
  /** Stream time (ms) of the call, from its event id, to measure the duration. */
  calledAt?: number;
}

export type Segment =
  | { kind: 'text'; step: number; text: string }
  | ToolCard
  | { kind: 'note'; text: string }
  | { kind: 'approval'; callId: string; tool: string; arguments: string; outcome?: string };

export type TurnStatus = 'queued' | 'streaming' | 'completed' | 'cancelled' | 'failed' | 'rejected';

/** One exchange: the user's message and the answer as it happens. Serialisable (kept across reloads). */
export interface TurnState {
  key: string;
  userText: string;
  turnId?: string;
  status: TurnStatus;
  segments: Segment[];
  lastEventId?: string;
  model?: string;
  tokens?: number;
  cost?: number;
  /** A plain sentence when the turn failed or was refused. */
  problem?: string;
}

interface TurnEnd {
  status: string;
  code?: string;
  response?: string;
  message?: string;
  model_used?: string;
  tokens_used?: number;
  cost?: number;
}

/** Redis stream ids ("ms-seq") in order; an event at or before the last one applied is a repeat. */
export function isAfter(id: string, last: string | undefined): boolean {
  if (!last) return true;
  const [ams, aseq] = id.split('-').map(Number);
  const [bms, bseq] = last.split('-').map(Number);
  return ams !== bms ? ams > bms : aseq > bseq;
}

const streamMs = (id: string | undefined) => (id ? Number(id.split('-')[0]) : undefined);

export function newTurn(key: string, userText: string): TurnState {
  return { key, userText, status: 'queued', segments: [] };
}

export function isFinished(turn: TurnState): boolean {
  return turn.status !== 'queued' && turn.status !== 'streaming';
}

/** Applies one stream event; returns a new state (or the same one when the event changes nothing). */
export function applyEvent(turn: TurnState, type: string, data: Record<string, unknown>, id?: string): TurnState {
  if (id && !isAfter(id, turn.lastEventId)) return turn;
  const next: TurnState = { ...turn, segments: [...turn.segments], lastEventId: id ?? turn.lastEventId };
  const segments = next.segments;
  if (next.status === 'queued' && type !== 'metadata') next.status = 'streaming';
  switch (type) {
    case 'metadata':
      next.turnId = data.turn_id as string;
      break;
    case 'message': {
      const step = data.step as number;
      const index = segments.findIndex((s) => s.kind === 'text' && s.step === step);
      if (index < 0) segments.push({ kind: 'text', step, text: data.content as string });
      else {
        const segment = segments[index] as { kind: 'text'; step: number; text: string };
        segments[index] = { ...segment, text: segment.text + (data.content as string) };
      }
      next.model = data.model as string;
      break;
    }
    case 'reset': {
      // A retried model call starts its step again: its partial text is replaced, never doubled.
      const step = data.step as number;
      const index = segments.findIndex((s) => s.kind === 'text' && s.step === step);
      if (index >= 0) segments.splice(index, 1);
      segments.push({
        kind: 'note',
        text: `The model call was retried (step ${step}); its partial answer was replaced.`,
      });
      break;
    }
    case 'model_switched':
      segments.push({
        kind: 'note',
        text: `Switched from ${data.from as string} to ${data.model as string}${data.reason ? ` (${data.reason as string})` : ''}.`,
      });
      next.model = data.model as string;
      break;
    case 'tool_call':
      segments.push({
        kind: 'tool',
        id: data.id as string,
        name: data.name as string,
        arguments: data.arguments as string,
        calledAt: streamMs(id),
      });
      break;
    case 'tool_result': {
      const index = segments.findIndex((s) => s.kind === 'tool' && s.id === data.call_id);
      const card: ToolCard =
        index >= 0
          ? (segments[index] as ToolCard)
          : { kind: 'tool', id: data.call_id as string, name: data.name as string, arguments: '' };
      const at = streamMs(id);
      const updated: ToolCard = {
        ...card,
        result: data.content as string,
        ok: data.ok as boolean,
        replayed: data.replayed === true,
        cached: data.cached === true,
        durationMs: at !== undefined && card.calledAt !== undefined ? at - card.calledAt : undefined,
      };
      if (index >= 0) segments[index] = updated;
      else segments.push(updated);
      break;
    }
    case 'approval_required':
      segments.push({
        kind: 'approval',
        callId: data.call_id as string,
        tool: (data.tool ?? data.name) as string,
        arguments: (data.arguments as string) ?? '',
      });
      break;
    case 'approval_resolved': {
      const index = segments.findIndex((s) => s.kind === 'approval' && s.callId === data.call_id);
      if (index >= 0)
        segments[index] = { ...(segments[index] as Segment & { kind: 'approval' }), outcome: data.outcome as string };
      break;
    }
    case 'done':
    case 'cancelled':
    case 'error':
      return finish(next, type, data as unknown as TurnEnd);
    default:
      return turn;
  }
  return next;
}

function finish(turn: TurnState, type: string, end: TurnEnd): TurnState {
  const next = { ...turn, model: end.model_used || turn.model, tokens: end.tokens_used, cost: end.cost };
  if (type === 'done') return { ...next, status: 'completed', segments: withFinalText(next.segments, end.response) };
  if (type === 'cancelled') return { ...next, status: 'cancelled' };
  if (end.status === 'rejected') {
    const status = end.code === 'session_queue_full' ? 429 : end.code === 'session_ended' ? 410 : 409;
    return { ...next, status: 'rejected', problem: sentenceFor(status, end.code ?? '', end.message ?? '') };
  }
  if ('code' in end && end.code === 'stream_failed') return turn; // the connection broke, not the turn: resume
  const status = end.code === 'budget_exceeded' ? 402 : 502;
  return { ...next, status: 'failed', problem: sentenceFor(status, end.code ?? '', end.response ?? '') };
}

/** The final answer wins over what streamed (e.g. a turn resumed from a history without its chunks). */
function withFinalText(segments: Segment[], response: string | undefined): Segment[] {
  const hasText = segments.some((s) => s.kind === 'text' && s.text.length > 0);
  if (hasText || !response) return segments;
  return [...segments, { kind: 'text', step: 0, text: response }];
}
