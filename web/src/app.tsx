import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ApiProblem, apiKey, forgetApiKey, rememberApiKey } from './api-client';
import { ChatController, type ChatView } from './chat-controller';
import { Composer } from './composer';
import { SessionsSidebar } from './sessions-sidebar';
import { TurnView } from './turn-view';

interface Health {
  checks?: { model?: { offline?: boolean }; auth?: { mode?: 'open' | 'api_keys' } };
}

const sessionInUrl = () => /^\/chat\/([0-9a-f-]{36})\/?$/i.exec(location.pathname)?.[1];
const uiPort = document.querySelector('meta[name="temporal-ui-port"]')?.getAttribute('content') ?? '8233';
const TEMPORAL_UI = `${location.protocol}//${location.hostname}:${uiPort}`;

function KeyDialog({ onKey }: { onKey: (key: string) => void }) {
  const [key, setKey] = useState('');
  return (
    <form
      class="key-dialog"
      aria-labelledby="key-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (key.trim()) onKey(key.trim());
      }}
    >
      <h2 id="key-title">API key needed</h2>
      <p>This server asks for an API key. It is kept in this tab only and sent as a header, never in a URL.</p>
      <label for="api-key">API key</label>
      <input
        id="api-key"
        type="password"
        autocomplete="off"
        value={key}
        onInput={(e) => setKey(e.currentTarget.value)}
      />
      <button type="submit">Use this key</button>
    </form>
  );
}

export function App() {
  const [view, setView] = useState<ChatView>({ turns: [], reconnecting: false, needKey: false });
  const [refresh, setRefresh] = useState(0);
  const [health, setHealth] = useState<Health>({});
  const [notice, setNotice] = useState<string>();
  const controller = useMemo(
    () =>
      new ChatController(
        () => setView(controller.view),
        (sessionId) => {
          history.pushState(null, '', `/chat/${sessionId}`);
          setRefresh((n) => n + 1);
        },
        () => setRefresh((n) => n + 1),
      ),
    [],
  );

  const open = useCallback(
    (sessionId: string | undefined) => {
      const path = sessionId ? `/chat/${sessionId}` : '/';
      if (location.pathname !== path) history.pushState(null, '', path);
      setNotice(undefined);
      void controller.open(sessionId);
    },
    [controller],
  );

  useEffect(() => {
    void fetch('/health')
      .then((r) => r.json() as Promise<Health>)
      .then(setHealth)
      .catch(() => undefined);
    void controller.open(sessionInUrl());
    const onPop = () => void controller.open(sessionInUrl());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, [controller]);

  const running = view.turns.some((t) => t.status === 'streaming' || t.status === 'queued');
  const lastIndex = view.turns.length - 1;
  const onProblem = useCallback(
    (err: unknown) => {
      if (err instanceof ApiProblem && err.status === 401) controller.keyNeeded();
      else setNotice(err instanceof Error ? err.message : String(err));
    },
    [controller],
  );

  return (
    <div class="layout">
      <header class="top">
        <h1>Durable chat</h1>
        <nav aria-label="Tools">
          <a href="/docs">API docs</a>
          <a href={TEMPORAL_UI} target="_blank" rel="noreferrer">
            Temporal Web UI
          </a>
          {apiKey() && (
            <button type="button" onClick={() => (forgetApiKey(), location.reload())}>
              Forget key
            </button>
          )}
        </nav>
      </header>
      <div class="banners">
        {health.checks?.auth?.mode === 'open' && (
          <p class="banner open-mode">
            This server is open: no API keys are configured, so anyone who can reach it can use it.
          </p>
        )}
        {health.checks?.model?.offline && (
          <p class="banner offline-model">
            Offline model: answers are rule-based, not from a real LLM. Set OPENROUTER_API_KEY or LLM_BASE_URL and
            restart for a real model.
          </p>
        )}
        {view.reconnecting && (
          <p class="banner reconnecting" role="status">
            Reconnecting… the answer continues when the server is back.
          </p>
        )}
        {(notice ?? view.notice) && (
          <p class="banner problem" role="alert">
            {notice ?? view.notice}
          </p>
        )}
      </div>
      {view.needKey ? (
        <main class="main">
          <KeyDialog
            onKey={(key) => {
              rememberApiKey(key);
              controller.keyAccepted();
              setRefresh((n) => n + 1);
              void controller.open(view.sessionId);
            }}
          />
        </main>
      ) : (
        <>
          <SessionsSidebar current={view.sessionId} refresh={refresh} onOpen={open} onProblem={onProblem} />
          <main class="main">
            <h2 class="visually-hidden">Conversation</h2>
            <div class="turns">
              {view.turns.length === 0 && <p class="empty">Start a conversation: type a message below.</p>}
              {view.turns.map((turn, i) => (
                <TurnView
                  key={turn.key}
                  turn={turn}
                  live={i === lastIndex}
                  onDecide={(callId, decision) => controller.decide(callId, decision)}
                />
              ))}
            </div>
            <Composer
              running={running}
              onSend={(text, options) => void controller.send(text, options)}
              onStop={() => void controller.stop()}
            />
          </main>
        </>
      )}
    </div>
  );
}
