import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { normalizeArguments } from '../../src/store/tool-result-cache';
import { createSearchTool } from '../../src/tools/search';
import { offlineSearch } from '../../src/tools/search-offline';
import { createWeatherTool } from '../../src/tools/weather';
import { anyOf, containing } from '../helpers/matchers';

/** A local stand-in for the provider's HTTP API (this machine reaches no outside host). */
async function jsonServer(
  handler: (url: URL) => unknown,
): Promise<{ base: string; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    hits.push(url.pathname);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(handler(url)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, hits, close: () => new Promise((r) => server.close(() => r())) };
}

describe('weather tool', () => {
  it('when Open-Meteo answers then the report comes from it, geocoded', async () => {
    const api = await jsonServer((url) =>
      url.pathname === '/geo'
        ? { results: [{ name: 'Seoul', country: 'South Korea', latitude: 37.57, longitude: 126.98 }] }
        : { current: { time: '2026-11-22T03:00', temperature_2m: 4.2, wind_speed_10m: 11, weather_code: 61 } },
    );
    const tool = createWeatherTool({
      provider: 'open-meteo',
      geocodingUrl: `${api.base}/geo`,
      forecastUrl: `${api.base}/forecast`,
      timeoutMs: 2000,
    });
    const outcome = await tool.run({ city: 'Seoul' });
    await api.close();
    expect(outcome).toMatchObject({
      ok: true,
      provider: 'open-meteo',
      value: { city: 'Seoul', country: 'South Korea', temperature_c: 4.2, condition: 'rain' },
    });
    expect(api.hits).toEqual(['/geo', '/forecast']);
  });

  it('when Open-Meteo is unreachable then the offline provider answers and says why', async () => {
    const tool = createWeatherTool({
      provider: 'open-meteo',
      geocodingUrl: 'http://127.0.0.1:9/geo',
      forecastUrl: 'http://127.0.0.1:9/f',
      timeoutMs: 500,
    });
    const outcome = await tool.run({ city: 'Seoul' });
    expect(outcome).toMatchObject({
      ok: true,
      provider: 'offline',
      value: { city: 'Seoul', fallback_reason: containing('unreachable') },
    });
  });

  it('when the city does not exist then it is a tool error, not a guess', async () => {
    const api = await jsonServer(() => ({ results: [] }));
    const tool = createWeatherTool({
      provider: 'open-meteo',
      geocodingUrl: `${api.base}/geo`,
      forecastUrl: `${api.base}/f`,
      timeoutMs: 2000,
    });
    const outcome = await tool.run({ city: 'Nowhereville' });
    await api.close();
    expect(outcome).toMatchObject({ ok: false, error: containing('Nowhereville') });
  });

  it('when offline then the same city always gets the same report', async () => {
    const tool = createWeatherTool({ provider: 'offline', geocodingUrl: '', forecastUrl: '', timeoutMs: 100 });
    const [a, b] = await Promise.all([tool.run({ city: 'Busan' }), tool.run({ city: 'busan' })]);
    expect(a.value).toEqual({ ...(b.value as object), city: 'Busan' });
    expect(a.provider).toBe('offline');
  });
});

describe('search tool', () => {
  it('when offline then the bundled corpus is ranked by the query', () => {
    const hits = offlineSearch('redis streams XREAD resume', 3);
    expect(hits[0].title).toBe('Redis Streams');
  });

  it('when SearXNG is configured then its results are returned, labelled', async () => {
    const api = await jsonServer((url) => ({
      results: [{ title: `hit for ${url.searchParams.get('q')}`, url: 'https://example.org', content: 'x' }],
    }));
    const tool = createSearchTool({ provider: 'searxng', searxngUrl: api.base, tavilyUrl: '', timeoutMs: 2000 });
    const outcome = await tool.run({ query: 'temporal', max_results: 2 });
    await api.close();
    expect(outcome).toMatchObject({
      ok: true,
      provider: 'searxng',
      value: { results: [{ title: 'hit for temporal' }] },
    });
  });

  it('when the real provider fails then the offline corpus answers and says why', async () => {
    const tool = createSearchTool({
      provider: 'searxng',
      searxngUrl: 'http://127.0.0.1:9',
      tavilyUrl: '',
      timeoutMs: 300,
    });
    const outcome = await tool.run({ query: 'sqlite wal', max_results: 1 });
    expect(outcome).toMatchObject({ ok: true, provider: 'offline', value: { fallback_reason: anyOf(String) } });
  });
});

describe('tool cache keys', () => {
  it('when arguments differ only in case, spacing or key order then they normalize alike', () => {
    expect(normalizeArguments({ city: '  Seoul ', b: 1 })).toEqual(normalizeArguments({ b: 1, city: 'seoul' }));
    expect(normalizeArguments({ city: 'Seoul' })).not.toEqual(normalizeArguments({ city: 'Busan' }));
  });
});
