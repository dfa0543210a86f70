import { allHandlersFinished, condition, continueAsNew, setHandler } from '@temporalio/workflow';
import type { ChatSessionInput, SessionView } from '../src/contract/session';
import type { ApprovalDecision } from '../src/contract/tool-approval';
import {
  cancelTurnSignal,
  decideToolCallUpdate,
  endSessionSignal,
  stateQuery,
  userMessageSignal,
} from '../src/contract/session-workflow';
import { ChatSession } from './chat-session';
import { showSessionDetails } from './operator-visibility';

/**
 * One chat session. User messages arrive as signals; the session admits or refuses each and
 * queues the admitted ones (FIFO). The loop runs one turn at a time — model → tools (each its own
 * activity, in parallel) → model … → archive, then publish (one local activity) — continues as new when the history grows
 * long, and ends when idle for `idle_timeout` or asked to end. Tokens never pass through here;
 * the model activity streams them to Redis.
 */
export async function chatSessionWorkflow(input: ChatSessionInput): Promise<SessionView> {
  const session = new ChatSession(input);
  setHandler(userMessageSignal, (message) => session.receive(message));
  setHandler(cancelTurnSignal, (request) => session.cancelTurn(request));
  setHandler(endSessionSignal, (request) => session.requestEnd(request));
  setHandler(stateQuery, () => session.view());
  setHandler(decideToolCallUpdate, (decision) => session.decideToolCall(decision), {
    validator: (decision: ApprovalDecision) => session.validateDecision(decision),
  });

  showSessionDetails(session.state);
  while (await session.waitForMessage()) {
    await session.runNextTurn();
    if (session.shouldContinueAsNew()) {
      // Signals that arrive meanwhile land in the queue, which the next run carries.
      await condition(allHandlersFinished);
      await continueAsNew<typeof chatSessionWorkflow>({ ...input, carried: session.carriedState() });
    }
  }
  await session.end();
  return session.view();
}
