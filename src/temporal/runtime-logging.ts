// Only types from the SDK here: this module loads without the SDK's native bridge, so the test
// setup (test/jest/temporal-logs.ts) can use it while the SDK module itself is being loaded.
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { RuntimeOptions } from '@temporalio/worker';
import type { Logger } from '../logger';

const PINO_LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};
const SEVERITY: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
/** The SDK's LogTimestamp key (a registered symbol): pino stamps its own time. */
const LOG_TIMESTAMP = Symbol.for('log_timestamp');

/** The SDK's Logger interface on a pino logger, from `level` up (the SDK's DEBUG is very chatty). */
export class PinoTemporalLogger implements TemporalLogger {
  private readonly severity: number;

  constructor(
    private readonly logger: Logger,
    level: LogLevel = 'INFO',
  ) {
    this.severity = SEVERITY.indexOf(level);
  }

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (SEVERITY.indexOf(level) < this.severity) return;
    const { [LOG_TIMESTAMP]: _timestamp, ...fields } = meta ?? {};
    this.logger[PINO_LEVELS[level]](fields, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/**
 * The runtime's logging options: the SDK's own logs (worker, workflow and activity loggers) and
 * the Rust core's logs, forwarded instead of printed straight to the console (core from WARN, the
 * rest from ERROR: the SDK's default filter), all through `logger` as `component: temporal`.
 */
export function temporalRuntimeLogging(
  logger: Logger,
  level: LogLevel = 'INFO',
): Pick<RuntimeOptions, 'logger' | 'telemetryOptions'> {
  return {
    logger: new PinoTemporalLogger(logger.child({ component: 'temporal' }), level),
    telemetryOptions: { logging: { forward: {} } },
  };
}
