import { ApprovalCard, type ApprovalDecision } from './approval-card';
import { MarkdownView } from './markdown-view';
import type { Segment, ToolCard, TurnState } from './turn-state';

function prettyJson(text: string | undefined): string {
  if (!text) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function ToolCardView({ card, awaitingApproval }: { card: ToolCard; awaitingApproval: boolean }) {
  // A call waiting for a person has not started: "running" would mislead.
  const waiting = awaitingApproval ? 'waiting for approval' : 'running…';
  const state = card.result === undefined ? waiting : card.ok ? 'ok' : 'failed';
  return (
    <section class="tool-card" aria-label={`Tool ${card.name}`}>
      <header>
        <strong>Tool: {card.name}</strong> <span class="badge">{state}</span>
        {card.replayed && <span class="badge">recorded result</span>}
        {card.cached && <span class="badge">cached</span>}
        {card.durationMs !== undefined && <span class="muted"> {card.durationMs} ms</span>}
      </header>
      <div class="tool-io">
        <div>
          <div class="muted">Arguments</div>
          <pre>{prettyJson(card.arguments)}</pre>
        </div>
        {card.result !== undefined && (
          <div>
            <div class="muted">Result</div>
            <pre class="tool-result">{prettyJson(card.result)}</pre>
          </div>
        )}
      </div>
    </section>
  );
}

type DecideHandler = (callId: string, decision: ApprovalDecision) => Promise<string | undefined>;

interface SegmentProps {
  segment: Segment;
  onDecide: DecideHandler;
  /** Call ids with an undecided approval card in the turn. */
  awaiting: ReadonlySet<string>;
}

function SegmentView({ segment, onDecide, awaiting }: SegmentProps) {
  switch (segment.kind) {
    case 'text':
      return <MarkdownView text={segment.text} />;
    case 'tool':
      return <ToolCardView card={segment} awaitingApproval={awaiting.has(segment.id)} />;
    case 'note':
      return <p class="note">{segment.text}</p>;
    case 'approval':
      return (
        <ApprovalCard
          callId={segment.callId}
          tool={segment.tool}
          arguments={segment.arguments}
          outcome={segment.outcome}
          onDecide={(decision) => onDecide(segment.callId, decision)}
        />
      );
  }
}

const STATUS_LABEL: Record<TurnState['status'], string> = {
  queued: 'Queued: waits for the answer before it',
  streaming: 'Answering…',
  completed: '',
  cancelled: 'Stopped',
  failed: 'Failed',
  rejected: 'Not sent',
};

/** One exchange: the user's message, then the answer with its tool cards, notes and accounting. */
export function TurnView({ turn, live, onDecide }: { turn: TurnState; live: boolean; onDecide: DecideHandler }) {
  const label = STATUS_LABEL[turn.status];
  const awaiting = new Set(
    turn.segments.flatMap((s) =>
      s.kind === 'approval' && !s.outcome && turn.status === 'streaming' ? [s.callId] : [],
    ),
  );
  return (
    <article class={`turn turn-${turn.status}`} data-turn-status={turn.status}>
      <div class="user-message">
        <span class="visually-hidden">You said:</span>
        <p>{turn.userText}</p>
      </div>
      <div class="answer" aria-live={live ? 'polite' : 'off'} aria-busy={live && turn.status === 'streaming'}>
        {turn.segments.map((segment, i) => (
          <SegmentView key={i} segment={segment} onDecide={onDecide} awaiting={awaiting} />
        ))}
        {label && <p class={`status status-${turn.status}`}>{label}</p>}
        {turn.problem && (
          <p class="problem" role="alert">
            {turn.problem}
          </p>
        )}
        {turn.status === 'completed' && (turn.model || turn.tokens !== undefined) && (
          <p class="turn-meta">
            {turn.model && <span>Model: {turn.model}</span>}
            {turn.tokens !== undefined && <span>Tokens: {turn.tokens}</span>}
            {turn.cost !== undefined && <span>Cost: ${turn.cost.toFixed(6)}</span>}
          </p>
        )}
      </div>
    </article>
  );
}
