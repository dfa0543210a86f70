import { useState } from 'preact/hooks';

/** The approval endpoint's body: `{approve, reason?, arguments?}` (arguments as an object). */
export interface ApprovalDecision {
  approve: boolean;
  /** Edited arguments, when the person changed them. */
  arguments?: Record<string, unknown>;
}

interface Props {
  callId: string;
  tool: string;
  arguments: string;
  outcome?: string;
  /** Answers a sentence when the decision was refused, else undefined. */
  onDecide: (decision: ApprovalDecision) => Promise<string | undefined>;
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** The edited text as an arguments object, or the sentence saying why it is not one. */
function parseArguments(text: string): Record<string, unknown> | string {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // falls through to the sentence
  }
  return 'The arguments are not valid JSON: write one JSON object, e.g. {"name": "value"}.';
}

/** A tool call waiting for a person: Approve, Deny, or approve with edited arguments. */
export function ApprovalCard({ callId, tool, arguments: args, outcome, onDecide }: Props) {
  const [editing, setEditing] = useState(false);
  const [edited, setEdited] = useState(pretty(args));
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const decide = async (decision: ApprovalDecision) => {
    setBusy(true);
    setProblem(undefined);
    setProblem(await onDecide(decision));
    setBusy(false);
  };
  return (
    <section class="tool-card approval" aria-label={`Approval for ${tool}`}>
      <strong>Approval needed: {tool}</strong>
      {editing ? (
        <>
          <label for={`edit-${callId}`}>Arguments (JSON)</label>
          <textarea id={`edit-${callId}`} rows={4} value={edited} onInput={(e) => setEdited(e.currentTarget.value)} />
        </>
      ) : (
        <pre>{pretty(args)}</pre>
      )}
      {outcome ? (
        <p>Decision: {outcome}</p>
      ) : (
        <div class="approval-actions">
          <button
            type="button"
            disabled={busy}
            onClick={() => {
              if (!editing) return void decide({ approve: true });
              const parsed = parseArguments(edited);
              if (typeof parsed === 'string') setProblem(parsed);
              else void decide({ approve: true, arguments: parsed });
            }}
          >
            {editing ? 'Approve with these arguments' : 'Approve'}
          </button>
          <button type="button" disabled={busy} onClick={() => void decide({ approve: false })}>
            Deny
          </button>
          {!editing && (
            <button type="button" disabled={busy} onClick={() => setEditing(true)}>
              Edit arguments
            </button>
          )}
        </div>
      )}
      {problem && (
        <p class="problem" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}
