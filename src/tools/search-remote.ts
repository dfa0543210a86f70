import { fetchJson } from './http-json';
import type { SearchHit } from './search-offline';

interface RemoteResults {
  results?: Array<{ title?: string; url?: string; content?: string }>;
}

const toHits = (body: RemoteResults, limit: number): SearchHit[] =>
  (body.results ?? [])
    .slice(0, limit)
    .map((r) => ({ title: r.title ?? '', url: r.url ?? '', content: (r.content ?? '').slice(0, 600) }));

export async function tavilySearch(
  query: string,
  limit: number,
  url: string,
  apiKey: string,
  timeoutMs: number,
): Promise<SearchHit[]> {
  const body = await fetchJson(url, timeoutMs, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query, max_results: limit }),
  });
  return toHits(body as RemoteResults, limit);
}

export async function searxngSearch(
  query: string,
  limit: number,
  baseUrl: string,
  timeoutMs: number,
): Promise<SearchHit[]> {
  const body = await fetchJson(
    `${baseUrl.replace(/\/$/, '')}/search?${new URLSearchParams({ q: query, format: 'json' }).toString()}`,
    timeoutMs,
  );
  return toHits(body as RemoteResults, limit);
}
