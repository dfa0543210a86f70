import pino, { type Logger } from 'pino';

export type { Logger };

/** One JSON logger for the process; children carry the component name. */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  // Belt and braces: nothing logs headers today, but an Authorization header must never reach a log.
  return pino({ level, base: { service: 'durable-chat-agent', ...base }, redact: { paths: ['authorization', '*.authorization', '*.headers.authorization', 'api_key', '*.api_key'], censor: '[redacted]' } });
}
