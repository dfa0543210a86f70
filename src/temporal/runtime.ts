import { DefaultLogger, MetricsBuffer, Runtime, type LogLevel, type RuntimeOptions } from '@temporalio/worker';
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
 * The runtime's logging: the SDK's own logs (worker, workflow and activity loggers) and the Rust
 * core's logs (forwarded instead of printed straight to the console; core at WARN, the rest at
 * ERROR, as the SDK's default filter) all go through `logger`, as `component: temporal`.
 */
export function temporalRuntimeLogging(logger: Logger, level: LogLevel = 'INFO'): Pick<RuntimeOptions, 'logger'> & { telemetryOptions: { logging: { forward: Record<string, never> } } } {
  const temporalLogger = logger.child({ component: 'temporal' });
  return {
    logger: new DefaultLogger(level, (entry) => {
      temporalLogger[LEVELS[entry.level]]({ ...entry.meta }, entry.message);
    }),
    telemetryOptions: { logging: { forward: {} } },
  };
}

/**
 * Routes the Temporal SDK's and core's logs through pino (see temporalRuntimeLogging), its
 * worker metrics into our Prometheus registry (see TemporalMetricsForwarder), and turns off the
 * SDK's own signal handlers so the process stops in our order: API, then worker.
 * Call once per process, before any worker or native connection is created.
 */
export function installTemporalRuntime(logger: Logger, level: LogLevel = 'INFO'): void {
  const logging = temporalRuntimeLogging(logger, level);
  const buffer = new MetricsBuffer({ maxBufferSize: 100_000, useSecondsForDurations: true });
  Runtime.install({
    shutdownSignals: [],
    logger: logging.logger,
    telemetryOptions: { ...logging.telemetryOptions, metrics: { buffer } },
  });
  new TemporalMetricsForwarder(buffer, metricsRegistry);
}
