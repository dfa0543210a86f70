import { z } from 'zod';

/** `GET /api/memory` query: the newest memories, or with `q` a keyword search. */
export const memoryListQuerySchema = z
  .object({
    q: z.string().trim().min(1).max(500).optional().describe('Keywords: only memories containing some, best first.'),
    limit: z.coerce.number().int().min(1).max(100).default(50).describe('Most memories answered (1-100).'),
  })
  .strict();

/** A memory's id in the path. */
export const memoryIdSchema = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const memorySchema = z.object({
  id: z.number().int().describe('The memory id (for DELETE /api/memory/{id}).'),
  content: z.string().describe('The remembered fact.'),
  session_id: z.string().describe('The session whose turn stored it.'),
  turn_id: z.string().describe('The turn whose remember call stored it.'),
  created_at: z.string().describe('When it was stored (ISO 8601).'),
  score: z.number().optional().describe('With q: relevance 0..1 (share of the keywords it contains).'),
});

export const memoryListSchema = z.object({
  memories: z.array(memorySchema).describe("The caller's memories: newest first, or best first with q."),
});

export const memoriesDeletedSchema = z.object({
  deleted: z.number().int().describe('How many memories were deleted.'),
});
