/** Latency summary in milliseconds; percentiles by nearest rank so small samples stay honest. */
export interface Summary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
}

const round = (n: number) => Math.round(n * 100) / 100;

export function summarize(samples: number[]): Summary {
  if (samples.length === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, min: 0, max: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return {
    count: sorted.length,
    mean: round(sorted.reduce((s, v) => s + v, 0) / sorted.length),
    p50: round(at(0.5)),
    p90: round(at(0.9)),
    p99: round(at(0.99)),
    min: round(sorted[0]),
    max: round(sorted[sorted.length - 1]),
  };
}

/** Ours next to the baseline: difference and ratio of each figure. */
export interface Comparison {
  ours: Summary;
  baseline: Summary;
  diff: { p50: number; p90: number; p99: number; mean: number };
  ratio: { p50: number; p90: number; p99: number; mean: number };
}

export function compare(ours: Summary, baseline: Summary): Comparison {
  const d = (k: 'p50' | 'p90' | 'p99' | 'mean') => round(ours[k] - baseline[k]);
  const r = (k: 'p50' | 'p90' | 'p99' | 'mean') => (baseline[k] > 0 ? round(ours[k] / baseline[k]) : 0);
  return {
    ours,
    baseline,
    diff: { p50: d('p50'), p90: d('p90'), p99: d('p99'), mean: d('mean') },
    ratio: { p50: r('p50'), p90: r('p90'), p99: r('p99'), mean: r('mean') },
  };
}

export const elapsedMs = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
