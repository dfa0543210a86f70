import Router from '@koa/router';
import { ApiError } from '../../errors';
import type { MemoryRecall } from '../../memory/memory-recall';
import type { MemoryStore } from '../../memory/memory-store';
import { parseOrThrow } from '../requests/parse-or-throw';
import { principalOf } from '../security/principal-of';
import { memoryIdSchema, memoryListQuerySchema } from './memory-schemas';

/** What the memory routes read and delete; the same archive table the worker's tools write. */
export interface MemoryApiDeps {
  store: MemoryStore;
  recall: MemoryRecall;
}

class MemoryNotFoundError extends ApiError {
  override name = 'MemoryNotFoundError';
  constructor(id: number) {
    super(404, 'memory_not_found', `Memory ${id} does not exist.`);
  }
}

/**
 * The caller's long-term memories: list or search, delete one, forget all. Every query is scoped
 * by the caller's principal: another principal's memory is a 404, never shown or deleted. These
 * stay on with MEMORY_ENABLED=false, so what was stored can still be read and deleted.
 */
export function memoryRoutes(memory: MemoryApiDeps | undefined): Router {
  const router = new Router();
  const use = (): MemoryApiDeps => {
    if (!memory) throw new ApiError(404, 'memory_unavailable', 'This API has no memory store.');
    return memory;
  };

  router.get('/api/memory', async (ctx) => {
    const query = parseOrThrow(memoryListQuerySchema, ctx.query, 'memory query');
    const owner = principalOf(ctx);
    const memories = query.q
      ? await use().recall.recall(owner, query.q, undefined, {
          topK: query.limit,
          minScore: 0,
          maxTokens: Number.MAX_SAFE_INTEGER,
        })
      : await use().store.list(owner, query.limit);
    ctx.body = { memories };
  });

  router.delete('/api/memory', async (ctx) => {
    ctx.body = { deleted: await use().store.deleteAll(principalOf(ctx)) };
  });

  router.delete('/api/memory/:id', async (ctx) => {
    const id = parseOrThrow(memoryIdSchema, ctx.params.id, 'memory id');
    if (!(await use().store.delete(principalOf(ctx), id))) throw new MemoryNotFoundError(id);
    ctx.status = 204;
  });

  return router;
}
