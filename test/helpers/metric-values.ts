/** Values of prom-client metrics of this process, by exact label set. */
/** count and sum of a histogram series with exactly these labels. */
export async function histogram(
  metric: { get(): Promise<{ values: Array<{ labels: object; value: number; metricName?: string }> }> },
  name: string,
  labels: Record<string, string>,
) {
  const { values } = await metric.get();
  const of = (suffix: string) =>
    values
      .filter((v) => v.metricName === `${name}_${suffix}` && JSON.stringify(v.labels) === JSON.stringify(labels))
      .reduce((n, v) => n + v.value, 0);
  return { count: of('count'), sum: of('sum') };
}

export async function counter(
  metric: { get(): Promise<{ values: Array<{ labels: object; value: number }> }> },
  labels: Record<string, string>,
): Promise<number> {
  const { values } = await metric.get();
  return values.find((v) => JSON.stringify(v.labels) === JSON.stringify(labels))?.value ?? 0;
}
