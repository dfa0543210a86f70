import { useEffect, useState } from 'preact/hooks';
import { getJson } from './api-client';
import type { SendOptions } from './chat-controller';

interface Props {
  running: boolean;
  onSend: (text: string, options: SendOptions) => void;
  onStop: () => void;
}

/** Enter sends, Shift+Enter adds a line; messages sent during a turn queue behind it; Stop cancels the turn. */
export function Composer({ running, onSend, onStop }: Props) {
  const [text, setText] = useState('');
  const [useTools, setUseTools] = useState(true);
  const [model, setModel] = useState('');
  const [models, setModels] = useState<string[]>([]);
  useEffect(() => {
    getJson<{ models: Array<{ name: string }> }>('/api/chat/models')
      .then((list) => setModels(list.models.map((m) => m.name)))
      .catch(() => setModels([]));
  }, []);

  const send = () => {
    if (!text.trim()) return;
    onSend(text, { useTools, model: model || undefined });
    setText('');
  };

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <label for="message" class="visually-hidden">
        Message
      </label>
      <textarea
        id="message"
        rows={3}
        placeholder="Ask something (Enter sends, Shift+Enter adds a line)"
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            send();
          }
        }}
      />
      <div class="controls">
        <label>
          <input type="checkbox" checked={useTools} onChange={(e) => setUseTools(e.currentTarget.checked)} /> Use tools
        </label>
        <label for="model">Model</label>
        <select id="model" value={model} onChange={(e) => setModel(e.currentTarget.value)}>
          <option value="">Default (the configured chain)</option>
          {models.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        {running && (
          <button type="button" class="stop" onClick={onStop}>
            Stop
          </button>
        )}
        <button type="submit" class="send">
          {running ? 'Queue' : 'Send'}
        </button>
      </div>
    </form>
  );
}
