import type { Knex } from 'knex';
import type { ArchiveTurnInput } from '../contract/activity-io';
import type { ChatMessage } from '../contract/chat-message';
import type { ConversationSummary } from '../contract/conversation';
import type { TurnResult } from '../contract/turn';

export interface ChatHistoryRow {
  id: number;
  session_id: string;
  turn_id: string;
  user_message: string;
  assistant_message: string | null;
  tools_used: string[];
  model_used: string | null;
  tokens_used: number;
  cost: number;
  created_at: string;
  extra_metadata: Record<string, unknown>;
}

interface StoredRow extends Omit<ChatHistoryRow, 'tools_used' | 'extra_metadata'> {
  tools_used: string | null;
  extra_metadata: string | null;
}

const parseJson = <T>(raw: string | null, fallback: T): T => {
  if (raw === null) return fallback;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return fallback;
  }
};

/** The archive of finished turns (SQLite, or Postgres with DATABASE_URL). */
export class ChatHistoryStore {
  constructor(private readonly knex: Knex) {}

  /** Inserts the turn once: a retried activity hits the unique turn_id and changes nothing. */
  async archiveTurn(
    { result, user_message, metadata, messages, seq }: ArchiveTurnInput,
    db: Knex | Knex.Transaction = this.knex,
  ): Promise<void> {
    await db('chat_history')
      .insert({
        session_id: result.session_id,
        turn_id: result.turn_id,
        user_message,
        assistant_message: result.response,
        tools_used: JSON.stringify(result.tools_used),
        model_used: result.model_used,
        tokens_used: result.tokens_used,
        cost: result.cost,
        created_at: result.created_at,
        ...(messages ? { messages: JSON.stringify(messages), seq } : {}),
        extra_metadata: JSON.stringify({
          status: result.status,
          code: result.code,
          steps: result.steps,
          error: result.error,
          prompt_tokens: result.prompt_tokens,
          completion_tokens: result.completion_tokens,
          models_tried: result.models_tried,
          model_calls: result.model_calls,
          offline_fallback: result.offline_fallback,
          ...metadata,
        }),
      })
      .onConflict('turn_id')
      .ignore();
  }

  async listTurns(sessionId: string): Promise<ChatHistoryRow[]> {
    const rows = (await this.knex('chat_history').where({ session_id: sessionId }).orderBy('id', 'asc')) as StoredRow[];
    return rows.map((row) => ({
      ...row,
      tools_used: parseJson<string[]>(row.tools_used, []),
      extra_metadata: parseJson<Record<string, unknown>>(row.extra_metadata, {}),
    }));
  }

  /** The archived turn as its result, or undefined when it is not archived (yet). */
  async turnResult(turnId: string): Promise<TurnResult | undefined> {
    const row = (await this.knex('chat_history').where({ turn_id: turnId }).first()) as StoredRow | undefined;
    if (!row) return undefined;
    const meta = parseJson<Partial<TurnResult>>(row.extra_metadata, {});
    return {
      session_id: row.session_id,
      turn_id: row.turn_id,
      status: meta.status ?? 'completed',
      ...(meta.code !== undefined ? { code: meta.code } : {}),
      response: row.assistant_message ?? '',
      tools_used: parseJson<string[]>(row.tools_used, []),
      model_used: row.model_used ?? '',
      tokens_used: row.tokens_used,
      prompt_tokens: meta.prompt_tokens ?? 0,
      completion_tokens: meta.completion_tokens ?? 0,
      cost: row.cost,
      steps: meta.steps ?? 0,
      ...(meta.error !== undefined ? { error: meta.error } : {}),
      models_tried: meta.models_tried ?? [],
      model_calls: meta.model_calls ?? [],
      offline_fallback: meta.offline_fallback ?? false,
      created_at: row.created_at,
    };
  }

  /** Archived turns' message lists by turn number (one session's), null where a turn has none. */
  async turnMessages(sessionId: string, seqs: number[]): Promise<Array<ChatMessage[] | null>> {
    if (seqs.length === 0) return [];
    const rows = (await this.knex('chat_history')
      .select('seq', 'messages')
      .where({ session_id: sessionId })
      .whereIn('seq', seqs)) as Array<{ seq: number; messages: string | null }>;
    const bySeq = new Map(rows.map((r) => [Number(r.seq), r.messages]));
    return seqs.map((n) => parseJson<ChatMessage[] | null>(bySeq.get(n) ?? null, null));
  }

  /** Archives a summary once (idempotent by session and `through`). */
  async archiveSummary(sessionId: string, summary: ConversationSummary): Promise<void> {
    await this.knex('chat_summaries')
      .insert({
        session_id: sessionId,
        through: summary.through,
        text: summary.text,
        created_at: new Date().toISOString(),
      })
      .onConflict(['session_id', 'through'])
      .ignore();
  }

  /** The archived summary through this turn, if any. */
  async summary(sessionId: string, through: number): Promise<ConversationSummary | undefined> {
    const row = (await this.knex('chat_summaries').where({ session_id: sessionId, through }).first()) as
      { text: string } | undefined;
    return row ? { through, text: row.text } : undefined;
  }

  /** A session's summaries, oldest first (each covers the turns from the first through `through`). */
  async listSummaries(sessionId: string): Promise<ConversationSummary[]> {
    const rows = (await this.knex('chat_summaries')
      .select('through', 'text')
      .where({ session_id: sessionId })
      .orderBy('through', 'asc')) as Array<{ through: number; text: string }>;
    return rows.map((r) => ({ through: Number(r.through), text: r.text }));
  }

  async countTurns(turnId: string): Promise<number> {
    const [{ n }] = await this.knex('chat_history').where({ turn_id: turnId }).count<Array<{ n: number }>>({ n: '*' });
    return Number(n);
  }
}
