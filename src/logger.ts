import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { DestinationStream, Logger };

/**
 * Where a process's log lines go by default: readable, coloured lines when stdout is a terminal
 * (`npm start`), one JSON object per line otherwise (containers, pipes, log shippers).
 */
export function defaultLogDestination(): DestinationStream | undefined {
  if (!process.stdout.isTTY) return undefined; // pino's own: JSON on stdout
  return pretty({
    colorize: true,
    // Written in the caller's tick, like pino's stdout: nothing is lost on process.exit.
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    singleLine: true,
    messageFormat: '{if component}[{component}] {end}{msg}',
    // JSON keeps every field; a terminal drops the ones nobody reads there (Temporal's task
    // tokens and run ids make each activity line several screen lines long).
    ignore: 'pid,hostname,service,role,component,taskToken,namespace,runId,workflowRunId,workflowType',
  });
}

/**
 * One logger for the process; children carry the component name. `destination` defaults to
 * {@link defaultLogDestination}; tests pass a file.
 */
export function createLogger(
  level: string,
  base: Record<string, unknown> = {},
  destination?: DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'durable-chat-agent', ...base },
    // Belt and braces: nothing logs headers today, but an Authorization header must never reach a log.
    redact: {
      paths: ['authorization', '*.authorization', '*.headers.authorization', 'api_key', '*.api_key'],
      censor: '[redacted]',
    },
  };
  const target = destination ?? (level === 'silent' ? undefined : defaultLogDestination());
  return target ? pino(options, target) : pino(options);
}
