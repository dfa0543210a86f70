import pino, { type Logger } from 'pino';

export type { Logger };

/** One JSON logger for the process; children carry the component name. */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { service: 'durable-chat-agent', ...base } });
}
