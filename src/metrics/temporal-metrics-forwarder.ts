import type { BufferedMetricUpdate, MetricsBuffer } from '@temporalio/worker';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

type Forwarded =
  { kind: 'counter'; metric: Counter } | { kind: 'gauge'; metric: Gauge } | { kind: 'histogram'; metric: Histogram };

const SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** `temporal_`-prefixed; a counter ends in `_total`, as Prometheus names counters (Core's `temporal_request` → `temporal_request_total`). */
const promName = (name: string, kind: BufferedMetricUpdate['metric']['kind']) => {
  const clean = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  const prefixed = clean.startsWith('temporal_') ? clean : `temporal_${clean}`;
  return kind === 'counter' && !prefixed.endsWith('_total') ? `${prefixed}_total` : prefixed;
};
const promLabel = (name: string) => name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^(?=\d)|^__/, 'l_');

/**
 * Copies the Temporal worker's own metrics (Core's task-slot, poller, schedule-to-start and
 * completion metrics, all `temporal_*`) into our prom-client registry, so one /metrics shows the
 * chat metrics and the worker's. Core buffers its metric updates (Runtime telemetry `buffer`
 * exporter); we drain them every second and on every scrape. Chosen over Core's own Prometheus
 * port so the API (in `npm start`) and WORKER_METRICS_PORT serve everything on their existing port.
 */
export class TemporalMetricsForwarder {
  private readonly forwarded = new Map<string, Forwarded & { labels: Set<string> }>();
  private readonly timer: NodeJS.Timeout;
  private readonly updates: Counter;

  constructor(
    private readonly buffer: MetricsBuffer,
    private readonly registry: Registry,
    intervalMs = 1000,
  ) {
    const drain = () => this.drain();
    // Registered before any forwarded metric, so a scrape drains first and then reads them.
    this.updates = new Counter({
      name: 'temporal_sdk_metric_updates_forwarded_total',
      help: 'Metric updates copied from the Temporal SDK buffer into this registry (drained every second and on each scrape).',
      registers: [registry],
      collect: drain,
    });
    this.timer = setInterval(drain, intervalMs);
    this.timer.unref();
  }

  /** Applies every buffered update: counters add deltas, gauges take values, histograms observe. */
  drain(): void {
    let count = 0;
    for (const update of this.buffer.retrieveUpdates()) {
      this.apply(update);
      count++;
    }
    if (count > 0) this.updates.inc(count);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private apply(update: BufferedMetricUpdate): void {
    const target = this.forwarded.get(update.metric.name) ?? this.create(update);
    if (!target) return;
    // prom-client fixes label names at creation: keep the known ones (Core sends a stable set per metric).
    const labels: Record<string, string> = {};
    for (const [key, value] of Object.entries(update.attributes)) {
      const name = promLabel(key);
      if (target.labels.has(name)) labels[name] = String(value);
    }
    if (target.kind === 'counter') {
      if (update.value > 0) target.metric.inc(labels, update.value);
    } else if (target.kind === 'histogram') target.metric.observe(labels, update.value);
    else if (update.metric.kind === 'up-down-counter') target.metric.inc(labels, update.value);
    else target.metric.set(labels, update.value);
  }

  private create(update: BufferedMetricUpdate): (Forwarded & { labels: Set<string> }) | undefined {
    const name = promName(update.metric.name, update.metric.kind);
    if (this.registry.getSingleMetric(name)) return undefined; // a name we already use ourselves
    const labelNames = Object.keys(update.attributes).map(promLabel);
    const help = `${update.metric.description || 'Temporal worker metric'}${update.metric.unit ? ` (${update.metric.unit})` : ''} [from the Temporal SDK]`;
    const common = { name, help, labelNames, registers: [this.registry] };
    let created: Forwarded;
    if (update.metric.kind === 'counter') created = { kind: 'counter', metric: new Counter(common) };
    else if (update.metric.kind === 'histogram')
      created = { kind: 'histogram', metric: new Histogram({ ...common, buckets: SECONDS_BUCKETS }) };
    else created = { kind: 'gauge', metric: new Gauge(common) };
    const entry = { ...created, labels: new Set(labelNames) };
    this.forwarded.set(update.metric.name, entry);
    return entry;
  }
}
