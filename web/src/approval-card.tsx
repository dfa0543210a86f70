import { useState } from 'preact/hooks';

export interface ApprovalDecision {
  approve: boolean;
  /** Edited arguments (JSON text), when the person changed them. */
  arguments?: string;
}

interface Props {
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

/** A tool call waiting for a person: Approve, Deny, or approve with edited arguments. */
export function ApprovalCard({ tool, arguments: args, outcome, onDecide }: Props) {
  const [editing, setEditing] = useState(false);
  const [edited, setEdited] = useState(pretty(args));
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const decide = async (decision: ApprovalDecision) => {
    setBusy(true);
    setProblem(await onDecide(decision));
    setBusy(false);
  };
  return (
    <section class="tool-card approval" aria-label={`Approval for ${tool}`}>
      <strong>Approval needed: {tool}</strong>
      {editing ? (
        <>
          <label for={`edit-${tool}`}>Arguments (JSON)</label>
          <textarea id={`edit-${tool}`} rows={4} value={edited} onInput={(e) => setEdited(e.currentTarget.value)} />
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
            onClick={() => void decide(editing ? { approve: true, arguments: edited } : { approve: true })}
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
