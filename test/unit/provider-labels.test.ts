import { providerLabels, type ModelSpec } from '../../src/llm/model-list';

const spec = (name: string, baseUrl: string, apiKey: string): ModelSpec => ({
  name,
  baseUrl,
  apiKey,
  supportsTools: true,
  priceInputPer1M: 0,
  priceOutputPer1M: 0,
});

describe('providerLabels', () => {
  it('when models share an endpoint and key then they share a label that does not contain the key', () => {
    const labels = providerLabels([
      spec('a', 'https://one.example/v1', 'secret-1'),
      spec('b', 'https://one.example/v1', 'secret-1'),
      spec('c', 'https://one.example/v1', 'secret-2'),
      spec('d', 'https://two.example/v1', 'secret-1'),
    ]);
    expect(labels).toEqual(['p1', 'p1', 'p2', 'p3']);
  });
});
