import type { SessionState } from '../../src/contract/session';
import type { PendingApproval } from '../../src/contract/tool-approval';
import { sessionDetails } from '../../workflows/session-details';

const state: SessionState = {
  session_id: '6c1f0c8e-8f35-4d5e-9d2a-0d7c2a4b9e11',
  owner: 'alice',
  title: 'pay the invoice',
  status: 'active',
  created_at: '2026-12-02T10:00:00.000Z',
  last_activity_at: '2026-12-02T10:00:00.000Z',
  messages: [],
  turns: 0,
  tokens_used: 0,
  cost: 0,
  pending: [],
  recent_turn_ids: [],
};
const waiting: PendingApproval = {
  call_id: 'call_1',
  turn_id: '0b7e9a52-3f0e-4c8e-8a57-5d1c3e0f2a10',
  tool: 'record_payment',
  arguments: '{"label":"invoice-7"}',
  step: 1,
  requested_at: '2026-12-02T10:00:01.000Z',
  expires_at: '2026-12-03T10:00:01.000Z',
};

/** The Temporal Web UI's current-details pane of a session. */
describe('session details', () => {
  it('when a tool call waits for approval then the details say which, with its arguments and expiry', () => {
    const details = sessionDetails(state, [waiting]);
    expect(details).toMatch(/waiting for approval of\*\* record_payment \{"label":"invoice-7"\} \(call call_1\)/i);
    expect(details).toContain('2026-12-03T10:00:01.000Z');
  });

  it('when nothing waits then the details do not mention approval', () => {
    expect(sessionDetails(state)).not.toMatch(/approval/i);
  });

  it('when older turns were summarised then the details show which turns and an excerpt of the summary', () => {
    const details = sessionDetails({ ...state, summary: { through: 12, text: '- My name is Zorblax.' } });
    expect(details).toContain('**Summary of turns 1-12:** - My name is Zorblax.');
  });
});
