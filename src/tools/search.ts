import { z } from 'zod';
import { offlineSearch } from './search-offline';
import { searxngSearch, tavilySearch } from './search-remote';
import { defineTool } from './tool-definition';

export interface SearchToolConfig {
  provider: 'offline' | 'tavily' | 'searxng';
  tavilyUrl: string;
  tavilyApiKey?: string;
  searxngUrl?: string;
  timeoutMs: number;
}

/** Web search through Tavily or SearXNG when configured, else (or when they fail) the bundled corpus. */
export function createSearchTool(config: SearchToolConfig) {
  const remote = (query: string, limit: number) => {
    if (config.provider === 'tavily' && config.tavilyApiKey)
      return tavilySearch(query, limit, config.tavilyUrl, config.tavilyApiKey, config.timeoutMs);
    if (config.provider === 'searxng' && config.searxngUrl)
      return searxngSearch(query, limit, config.searxngUrl, config.timeoutMs);
    return undefined;
  };
  return defineTool({
    name: 'search',
    description: 'Searches the web (or a small offline corpus) and returns titles, URLs and snippets.',
    schema: z.object({
      query: z.string().trim().min(1).max(300).describe('What to search for.'),
      max_results: z.number().int().min(1).max(10).default(3).describe('How many results to return.'),
    }),
    policy: { maximumAttempts: 3, timeoutSeconds: Math.ceil(config.timeoutMs / 1000) + 3 },
    cacheable: true,
    idempotent: true,
    /** Read-only: runs without asking. */
    approval: 'never',
    async run({ query, max_results }) {
      const pending = remote(query, max_results);
      if (pending) {
        try {
          return { ok: true, value: { query, results: await pending }, provider: config.provider };
        } catch (err) {
          return {
            ok: true,
            value: { query, results: offlineSearch(query, max_results), fallback_reason: (err as Error).message },
            provider: 'offline',
          };
        }
      }
      return { ok: true, value: { query, results: offlineSearch(query, max_results) }, provider: 'offline' };
    },
  });
}
