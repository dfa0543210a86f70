import { queryTermsOf } from '../../src/memory/memory-keywords';
import { rankMemories, type MemoryCandidate } from '../../src/memory/memory-ranking';

let nextId = 1;
const memory = (content: string): MemoryCandidate => ({
  id: nextId++,
  content,
  session_id: 's',
  turn_id: 't',
  created_at: '2026-12-03T00:00:00.000Z',
});
const limits = { topK: 5, minScore: 0.3, maxTokens: 1000 };
const contents = (picked: Array<{ content: string }>) => picked.map((m) => m.content);

describe('recall ranking', () => {
  it('when a question is asked then its stopwords are dropped and its words are the terms', () => {
    expect(queryTermsOf('What units do I prefer?')).toEqual(['units', 'prefer']);
  });

  it('when memories match more or fewer of the terms then the fuller match ranks first, ties in index order', () => {
    const terms = queryTermsOf('which metric units for baking?');
    const picked = rankMemories(
      terms,
      [
        memory('baking on Sundays'),
        memory('I prefer metric units'),
        memory('units are fun'),
        memory('metric units for baking please'),
      ],
      { ...limits, minScore: 0 },
    );
    expect(contents(picked)).toEqual([
      'metric units for baking please',
      'I prefer metric units',
      'baking on Sundays',
      'units are fun',
    ]);
  });

  it('when a memory matches too few of the terms then the threshold leaves it out', () => {
    const terms = queryTermsOf('metric units weather tomorrow Paris');
    const picked = rankMemories(
      terms,
      [memory('I prefer metric units'), memory('my cat likes weather reports')],
      limits,
    );
    expect(contents(picked)).toEqual(['I prefer metric units']);
  });

  it('when more memories match than top-k then only the best k are recalled', () => {
    const terms = queryTermsOf('coffee');
    const picked = rankMemories(terms, [memory('coffee black'), memory('coffee at 8'), memory('coffee beans')], {
      ...limits,
      topK: 2,
    });
    expect(contents(picked)).toEqual(['coffee black', 'coffee at 8']);
  });

  it('when a memory would pass the token cap then it is skipped and smaller later ones still fit', () => {
    const terms = queryTermsOf('garden');
    const long = `garden ${'x'.repeat(400)}`;
    const picked = rankMemories(terms, [memory('garden is small'), memory(long), memory('garden faces south')], {
      ...limits,
      maxTokens: 20,
    });
    expect(contents(picked)).toEqual(['garden is small', 'garden faces south']);
  });

  it('when no word of the question matches then nothing is recalled, even with no threshold', () => {
    const picked = rankMemories(queryTermsOf('tell me a joke'), [memory('I prefer metric units')], {
      ...limits,
      minScore: 0,
    });
    expect(picked).toEqual([]);
  });
});
