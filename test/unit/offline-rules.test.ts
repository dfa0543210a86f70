import { decideOfflineReply, extractExpression, OFFLINE_LABEL } from '../../src/llm/offline-rules';

const tools = new Set(['calculator', 'weather', 'search']);
const user = (content: string) => [{ role: 'user', content }];

describe('offline model rules', () => {
  it('when asked to calculate then it calls the calculator with the expression', () => {
    expect(decideOfflineReply(user('Calculate 10 * 20'), tools)).toEqual({
      kind: 'tool_calls',
      calls: [{ name: 'calculator', arguments: { expression: '10 * 20' } }],
    });
  });

  it('when asked about weather then it calls weather with the city', () => {
    expect(decideOfflineReply(user("What's the weather in Seoul?"), tools)).toEqual({
      kind: 'tool_calls',
      calls: [{ name: 'weather', arguments: { city: 'Seoul' } }],
    });
  });

  it('when asked to search then it calls search with the query', () => {
    expect(decideOfflineReply(user('Search for Temporal workflows'), tools)).toEqual({
      kind: 'tool_calls',
      calls: [{ name: 'search', arguments: { query: 'Temporal workflows' } }],
    });
  });

  it('when the tool is not offered then it answers in text instead of calling it', () => {
    const reply = decideOfflineReply(user('Calculate 10 * 20'), new Set());
    expect(reply.kind).toBe('text');
  });

  it('when the last message is a tool result then it answers from it, labelled', () => {
    const reply = decideOfflineReply(
      [
        { role: 'user', content: 'Calculate 10 * 20' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', function: { name: 'calculator', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: JSON.stringify({ expression: '10 * 20', result: 200 }) },
      ],
      tools,
    );
    expect(reply).toEqual({ kind: 'text', content: `${OFFLINE_LABEL} The result of 10 * 20 is 200.` });
  });

  it('when nothing matches then it replies plainly and says it is the offline model', () => {
    const reply = decideOfflineReply(user('Hello!'), tools);
    expect(reply.kind).toBe('text');
    expect(reply.kind === 'text' && reply.content).toContain(OFFLINE_LABEL);
  });

  it.each([
    ['what is 3 + 4?', '3 + 4'],
    ['sqrt(16) * 10 please', 'sqrt(16) * 10'],
    ['no numbers here', undefined],
    ['just 42', undefined],
  ])('when extracting from %p then it finds %p', (text, expected) => {
    expect(extractExpression(text)).toBe(expected);
  });
});

describe('offline model answers from weather and search results', () => {
  const exchange = (name: string, content: unknown) => [
    { role: 'user', content: 'q' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'c1', function: { name, arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 'c1', content: JSON.stringify(content) },
  ];

  it('when given a weather report then it says the temperature and that the data is offline', () => {
    const reply = decideOfflineReply(
      exchange('weather', { city: 'Busan', temperature_c: 9, condition: 'clear sky', wind_kmh: 17, note: 'Offline' }),
      tools,
    );
    expect(reply.kind === 'text' && reply.content).toContain(
      'Weather in Busan: 9 °C, clear sky, wind 17 km/h (offline sample data',
    );
  });

  it('when given search results then it lists their titles', () => {
    const reply = decideOfflineReply(
      exchange('search', { query: 'redis', results: [{ title: 'Redis Streams', url: 'https://redis.io' }] }),
      tools,
    );
    expect(reply.kind === 'text' && reply.content).toContain(
      'Top results for "redis": Redis Streams (https://redis.io).',
    );
  });
});
