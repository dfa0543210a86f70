import { DefaultLogger, MetricsBuffer, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../logger';
import { metricsRegistry } from '../metrics/metrics';
import { TemporalMetricsForwarder } from '../metrics/temporal-metrics-forwarder';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Routes the Temporal SDK's logs (worker, workflow and activity loggers) through pino, its
 * worker metrics into our Prometheus registry (see TemporalMetricsForwarder), and turns off the
 * SDK's own signal handlers so the process stops in our order: API, then worker.
 * Call once per process, before any worker or native connection is created.
 */
export function installTemporalRuntime(logger: Logger, level: LogLevel = 'INFO'): void {
  const temporalLogger = logger.child({ component: 'temporal' });
  const buffer = new MetricsBuffer({ maxBufferSize: 100_000, useSecondsForDurations: true });
  Runtime.install({
    shutdownSignals: [],
    telemetryOptions: { metrics: { buffer } },
    logger: new DefaultLogger(level, (entry) => {
      temporalLogger[LEVELS[entry.level]]({ ...entry.meta }, entry.message);
    }),
  });
  new TemporalMetricsForwarder(buffer, metricsRegistry);
}
