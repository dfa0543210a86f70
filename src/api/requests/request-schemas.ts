import { z } from 'zod';
import { approvalModeSchema } from '../../contract/tool-approval';

/** Session ids are UUIDs we issue; checking the shape first keeps arbitrary text out of workflow ids. */
export const sessionIdSchema = z.uuid({ message: 'session_id must be a UUID issued by POST /api/chat/session' });

export function chatRequestSchema(maxMessageChars: number) {
  return z
    .object({
      message: z
        .string({ message: 'message must be a string' })
        .max(maxMessageChars, `message must be at most ${maxMessageChars} characters`)
        .refine((s) => s.trim().length > 0, 'message must not be empty'),
      session_id: sessionIdSchema.optional(),
      use_tools: z.boolean().default(true),
      model: z.string().min(1).max(200).optional(),
      temperature: z.number().min(0).max(2).default(0.7),
      max_tokens: z.number().int().min(1).max(4000).default(1000),
      double_texting: z
        .enum(['enqueue', 'reject', 'interrupt'])
        .default('enqueue')
        .describe('If a turn is running: enqueue (FIFO), reject (409), or interrupt (cancel it, then run this one).'),
      cancel_on_disconnect: z
        .boolean()
        .default(false)
        .describe('Cancel the turn if the client disconnects before it ends.'),
      approval: approvalModeSchema
        .default('auto')
        .describe(
          "auto: each tool's approval policy decides; always: every tool call of this turn waits for a decision.",
        ),
    })
    .strict();
}

/** `POST /api/chat/session/{id}/tool-calls/{call_id}/approval` body. */
export const approvalRequestSchema = z
  .object({
    approve: z.boolean({ message: 'approve must be true or false' }),
    reason: z.string().max(1000).optional().describe('Why; the model sees it when the call is denied.'),
    arguments: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("Run the call with these arguments instead (approve only); checked against the tool's JSON Schema."),
  })
  .strict()
  .describe('A decision on a tool call waiting for approval.');
export type ApprovalRequest = z.infer<typeof approvalRequestSchema>;

/** A tool call id as the model gave it (path parameter). */
export const callIdSchema = z.string().min(1).max(200).describe('call_id of a pending approval.');

const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

/** `GET /api/chat/sessions` query: newest first, keyset-paginated. */
export const sessionListQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20).describe('Sessions per page (1-100).'),
    cursor: z.string().max(500).optional().describe('next_cursor of the previous page.'),
    status: z.enum(['active', 'ended']).optional().describe('Only sessions in this state.'),
  })
  .strict();

/** `DELETE /api/chat/session/{id}` query. */
export const endSessionQuerySchema = z
  .object({
    finish_running: booleanQuery.default(false).describe('Let the running turn finish instead of cancelling it.'),
  })
  .strict();

/** `POST /api/chat/session/{id}/cancel` body (optional): the turn it means. */
export const cancelRequestSchema = z
  .object({
    turn_id: z
      .uuid({ message: 'turn_id must be a UUID (the turn_id of a message of this session)' })
      .optional()
      .describe(
        'Cancel only this turn: a cancel for a turn that is not running (finished, or still queued) is ignored.',
      ),
  })
  .strict()
  .describe('Optional: without turn_id the running turn, whichever it is, is cancelled.');

/** `Last-Event-ID` (header or `last_event_id` query): a Redis stream id. */
export const lastEventIdSchema = z
  .string()
  .regex(/^\d{1,20}(-\d{1,20})?$/, 'Last-Event-ID must be a stream id like 1732240000000-0');

/** `GET /api/chat/session/{id}/events` query (Last-Event-ID is checked on its own: a bad one is a 400). */
export const sessionEventsQuerySchema = z.object({
  until: z
    .enum(['done'], { message: 'until must be "done" when given' })
    .optional()
    .describe('done: end the stream after the next done, error or cancelled event (of turn_id when given).'),
  turn_id: z
    .uuid({ message: 'turn_id must be a UUID (the turn_id of a message of this session)' })
    .optional()
    .describe("Only this turn's events; with until=done the stream ends at this turn's done, error or cancelled."),
  last_event_id: z.string().optional(),
});

export type ChatRequest = z.infer<ReturnType<typeof chatRequestSchema>>;
