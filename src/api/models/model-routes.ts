import Router from '@koa/router';
import type { Config } from '../../config';
import type { ModelList } from '../openapi/response-schemas';

/** The configured model chain, for clients that let a person pick a model per message (the chat page). */
export function modelRoutes(llm: Config['llm']): Router {
  const router = new Router({ prefix: '/api/chat' });
  router.get('/models', (ctx) => {
    const list: ModelList = {
      models: llm.models.map((m) => ({ name: m.name, supports_tools: m.supportsTools })),
      default_model: llm.models[0]?.name ?? null,
      offline: llm.mode === 'offline',
    };
    ctx.body = list;
  });
  return router;
}
