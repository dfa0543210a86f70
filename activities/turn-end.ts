import { ApplicationFailure } from '@temporalio/common';
import type {
  ArchiveTurnInput,
  CallModelInput,
  CallModelResult,
  FinishedTurn,
  MirrorSessionInput,
  TurnFinish,
} from '../src/contract/activity-io';
import type { ChatMessage } from '../src/contract/chat-message';
import { TurnUsage } from '../src/contract/turn-usage';
import type { TurnResult } from '../src/contract/turn';
import type { MemoryStore } from '../src/memory/memory-store';
import type { SessionRecordStore } from '../src/store/session-record-store';
import type { SessionEventStream } from '../src/store/session-event-stream';
import type { SessionSnapshotStore } from '../src/store/session-snapshot-store';
import { writeUntilDone } from '../src/store/write-until-done';
import { resolveRefs, type ConversationSources } from './conversation-messages';
import { fillByReference, turnPartKeys } from './mirror-by-reference';
import { classifyStoreErrors } from './store-failure';

/** What archiving and publishing a turn's end writes to. */
export interface TurnEndDeps extends ConversationSources {
  events: SessionEventStream;
  snapshots: SessionSnapshotStore;
  sessionRecords: SessionRecordStore;
  memories?: MemoryStore;
}

/** Idempotent by turn_id: a retry never adds a second archive row, and totals are recomputed, not added. */
export async function archiveTurn(deps: TurnEndDeps, input: ArchiveTurnInput): Promise<void> {
  // Before the row, outside its transaction: history reads served from the API's cache learn that the archive may be ahead.
  await classifyStoreErrors(() => deps.snapshots.markArchiving(input.result.session_id, input.result.turn_id));
  await classifyStoreErrors(() =>
    deps.sessionRecords.transaction(async (trx) => {
      await deps.history.archiveTurn(input, trx);
      await deps.sessionRecords.refreshTotals(input.result.session_id, input.session, trx);
      // A cancelled turn's memories are not kept; the others become visible to later turns.
      const { session_id, turn_id, status } = input.result;
      await deps.memories?.settleTurn(session_id, turn_id, status !== 'cancelled', trx);
    }),
  );
  // After the archive: a turn the conversation store holds is always in the archive too.
  const { messages, result, seq } = input;
  if (messages && seq !== undefined)
    await classifyStoreErrors(() =>
      deps.conversation.putTurn(result.session_id, seq, messages, turnPartKeys(result, messages)),
    );
}

/** The snapshot to Redis (the live partial answer cleared) and the events to the session's stream; resolves with their stream ids. */
export async function mirror(
  deps: TurnEndDeps,
  { snapshot, events }: Pick<MirrorSessionInput, 'snapshot' | 'events'>,
): Promise<string[]> {
  const [, , ids] = await classifyStoreErrors(() =>
    Promise.all([
      deps.snapshots.put(snapshot),
      deps.snapshots.clearLive(snapshot.session_id),
      deps.events.append(snapshot.session_id, events),
    ]),
  );
  return ids;
}

/** The result of the turn `answer` ends, computed as the workflow would (TurnUsage), timed now. */
function resultOf(input: CallModelInput & Required<Pick<CallModelInput, 'finish'>>, answer: CallModelResult) {
  const usage = TurnUsage.from(input.finish.usage);
  usage.recordAnswer(input.step, {
    result: answer,
    attempts: [{ model: input.model, outcome: 'answered' }],
    offlineFallback: !!input.offline_fallback,
    spent: [],
  });
  const turn = { session_id: input.session_id, turn_id: input.turn_id, created_at: new Date().toISOString() };
  return usage.resultOf(turn, { status: 'completed', response: answer.content, steps: input.step });
}

/** The result as the workflow gets it back: the response is the call's content. */
function withoutResponse({ response: _response, ...rest }: TurnResult): FinishedTurn['result'] {
  return rest;
}

/** A declared failure retrying cannot fix (a lost reference, a store bug): the turn is ended by the workflow instead. */
const isFinal = (err: unknown) => err instanceof ApplicationFailure && err.nonRetryable;

/** Never aborts: once the archive holds the turn, its `done` is published even if the turn is cancelled meanwhile. */
const UNTIL_PUBLISHED = new AbortController().signal;

/**
 * Ends the turn whose final answer a model call just got: archive first (idempotent by turn_id),
 * then the snapshot and `done` — the answer never precedes its archive. The result published and
 * returned is the archived one, so a retried call after a lost completion reports the first
 * archive's. A store outage is waited out inside the call; undefined when a reference could not be
 * resolved (the workflow then ends the turn with its local activity, as without `finish`).
 */
export async function finishTurnInModelCall(
  deps: TurnEndDeps,
  input: CallModelInput & Required<Pick<CallModelInput, 'finish'>>,
  answer: CallModelResult,
  cancelled: AbortSignal,
  onRetry: (err: unknown, tries: number) => void,
): Promise<FinishedTurn | undefined> {
  const { finish, session_id: sessionId, turn_id: turnId } = input;
  let archived: TurnResult | undefined;
  let gaveUp = false;
  // Each try computes the result afresh; the archive keeps the first that committed, and that one is read back.
  const archiveOnce = async () => {
    try {
      const result = resultOf(input, answer);
      const earlier: ChatMessage[] = await resolveRefs(deps, sessionId, input.turn_messages ?? []);
      const final: ChatMessage = {
        role: 'assistant',
        content: answer.content,
        turn_id: turnId,
        created_at: result.created_at,
      };
      const userMessage = earlier.find((m) => m.role === 'user')?.content ?? '';
      await archiveTurn(deps, { ...finish.archive, user_message: userMessage, result, messages: [...earlier, final] });
      archived = await classifyStoreErrors(() => deps.history.turnResult(turnId));
    } catch (err) {
      if (!isFinal(err)) throw err;
      gaveUp = true;
    }
  };
  await writeUntilDone(archiveOnce, archiveOnce, cancelled, onRetry);
  if (gaveUp || !archived) return undefined;
  const doneId = await publishFinished(deps, finish, archived, onRetry);
  return doneId === undefined ? undefined : { result: withoutResponse(archived), done_id: doneId };
}

/** The snapshot and `done` of an archived turn; undefined when a reference could not be resolved. */
async function publishFinished(
  deps: TurnEndDeps,
  finish: TurnFinish,
  result: TurnResult,
  onRetry: (err: unknown, tries: number) => void = () => undefined,
): Promise<string | undefined> {
  let doneId: string | undefined;
  const publishOnce = async () => {
    try {
      const filled = await fillByReference(deps, {
        snapshot: {
          ...finish.snapshot,
          tokens_used: finish.snapshot.tokens_used + result.tokens_used,
          cost: finish.snapshot.cost + result.cost,
          last_activity_at: result.created_at,
        },
        events: [{ type: 'done', data: result }],
        by_reference: finish.by_reference,
      });
      [doneId] = await mirror(deps, filled);
    } catch (err) {
      if (!isFinal(err)) throw err;
    }
  };
  await writeUntilDone(publishOnce, publishOnce, UNTIL_PUBLISHED, onRetry);
  return doneId;
}

/**
 * A retried call whose turn an earlier attempt already archived (its completion, and maybe the
 * heartbeat that kept the answer, were lost with its worker): the archived end is published again
 * and returned as the answer; undefined when this step's turn is not archived.
 */
export async function republishFinishedTurn(
  deps: TurnEndDeps,
  input: CallModelInput & Required<Pick<CallModelInput, 'finish'>>,
): Promise<CallModelResult | undefined> {
  const archived = await classifyStoreErrors(() => deps.history.turnResult(input.turn_id));
  if (!archived || archived.status !== 'completed' || archived.steps !== input.step) return undefined;
  const doneId = await publishFinished(deps, input.finish, archived);
  if (doneId === undefined) return undefined;
  const call = [...archived.model_calls].reverse().find((c) => c.step === input.step && !c.outcome);
  return {
    model: archived.model_used,
    content: archived.response,
    tool_calls: [],
    finish_reason: 'stop',
    prompt_tokens: call?.prompt_tokens ?? 0,
    completion_tokens: call?.completion_tokens ?? 0,
    usage_estimated: call?.usage_estimated ?? false,
    cost: call?.cost ?? 0,
    finished: { result: withoutResponse(archived), done_id: doneId },
  };
}
