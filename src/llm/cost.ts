/** Tokens and per-1M prices to a cost in USD, rounded to micro-dollars to keep JSON tidy. */
export function tokenCost(promptTokens: number, completionTokens: number, inPer1M: number, outPer1M: number): number {
  return Math.round(((promptTokens * inPer1M + completionTokens * outPer1M) / 1_000_000) * 1e6) / 1e6;
}
