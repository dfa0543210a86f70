import { MetricsBuffer, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../logger';
import { metricsRegistry } from '../metrics/metrics';
import { TemporalMetricsForwarder } from '../metrics/temporal-metrics-forwarder';
import { temporalRuntimeLogging } from './runtime-logging';

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
