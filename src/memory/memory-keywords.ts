/**
 * Words that say nothing about what a memory is about: left out of queries, so "what units do I
 * prefer?" looks for "units" and "prefer", and relevance is the share of meaningful words matched.
 */
const STOPWORDS = new Set(
  (
    'a an and are as at be been but by can could did do does doing for from had has have how i if in into is it its ' +
    'me my mine myself of on or our please should so than that the their them then there these they this those to ' +
    'us was we were what when where which who whom why will with would you your yours remember recall know tell ' +
    "about again also am any just like did said say that's what's"
  ).split(' '),
);

/** Most keywords one query uses: a long message is still one bounded index lookup. */
const MAX_QUERY_TERMS = 16;

/** Lower-case words without diacritics (as SQLite's `unicode61 remove_diacritics 2` tokenizer sees them). */
export function wordsOf(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/** The distinct meaningful words of a query, in order; each matches a memory word it begins (a prefix match). */
export function queryTermsOf(text: string): string[] {
  const terms = wordsOf(text).filter((word) => word.length >= 2 && !STOPWORDS.has(word));
  return [...new Set(terms)].slice(0, MAX_QUERY_TERMS);
}

/** Share of the query's terms some word of `content` begins with: 0 (none) to 1 (all). */
export function termCoverage(terms: readonly string[], content: string): number {
  if (terms.length === 0) return 0;
  const words = wordsOf(content);
  const matched = terms.filter((term) => words.some((word) => word.startsWith(term))).length;
  return matched / terms.length;
}
