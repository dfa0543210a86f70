import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { getJson, sendJson } from './api-client';

interface SessionRecord {
  session_id: string;
  title: string | null;
  status: 'active' | 'ended';
  last_activity_at: string;
  turns: number;
  cost: number;
}

interface Props {
  current?: string;
  /** Bumped when a session starts or ends, to reload the first page. */
  refresh: number;
  onOpen: (sessionId: string | undefined) => void;
  onProblem: (err: unknown) => void;
}

/** The caller's sessions, newest first; the next page loads when the list is scrolled to its end. */
export function SessionsSidebar({ current, refresh, onOpen, onProblem }: Props) {
  const [sessions, setSessions] = useState<SessionRecord[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const loading = useRef(false);
  const list = useRef<HTMLUListElement>(null);

  const load = useCallback(
    async (after: string | null) => {
      if (loading.current) return;
      loading.current = true;
      try {
        const page = await getJson<{ sessions: SessionRecord[]; next_cursor: string | null }>(
          `/api/chat/sessions?limit=20${after ? `&cursor=${encodeURIComponent(after)}` : ''}`,
        );
        setSessions((old) => (after ? [...old, ...page.sessions] : page.sessions));
        setCursor(page.next_cursor);
      } catch (err) {
        onProblem(err);
      } finally {
        loading.current = false;
      }
    },
    [onProblem],
  );

  useEffect(() => void load(null), [load, refresh]);

  const onScroll = () => {
    const element = list.current;
    if (element && cursor && element.scrollTop + element.clientHeight >= element.scrollHeight - 40) void load(cursor);
  };

  const end = async (session: SessionRecord) => {
    if (!window.confirm(`End the chat "${session.title ?? 'Untitled'}"? It cannot take messages afterwards.`)) return;
    try {
      await sendJson('DELETE', `/api/chat/session/${session.session_id}`);
      await load(null);
      if (session.session_id === current) onOpen(undefined);
    } catch (err) {
      onProblem(err);
    }
  };

  return (
    <nav class="sidebar" aria-label="Chats">
      <button type="button" class="new-chat" onClick={() => onOpen(undefined)}>
        New chat
      </button>
      <ul ref={list} onScroll={onScroll}>
        {sessions.map((s) => (
          <li key={s.session_id} class={s.session_id === current ? 'current' : ''}>
            <a
              href={`/chat/${s.session_id}`}
              aria-current={s.session_id === current ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                onOpen(s.session_id);
              }}
            >
              <span class="title">{s.title ?? 'Untitled chat'}</span>
              <span class="muted small">
                {new Date(s.last_activity_at).toLocaleString()} · {s.turns} turn{s.turns === 1 ? '' : 's'} · $
                {s.cost.toFixed(4)}
                {s.status === 'ended' ? ' · ended' : ''}
              </span>
            </a>
            {s.status === 'active' && (
              <button type="button" class="end" onClick={() => void end(s)} aria-label={`End chat ${s.title ?? ''}`}>
                End
              </button>
            )}
          </li>
        ))}
        {cursor && (
          <li>
            <button type="button" onClick={() => void load(cursor)}>
              More chats
            </button>
          </li>
        )}
      </ul>
    </nav>
  );
}
