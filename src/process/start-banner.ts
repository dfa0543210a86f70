import type { Config } from '../config';
import { temporalConnectionSummary } from '../temporal/temporal-connection';
import { say } from './say';

export interface StartBanner {
  config: Config;
  temporalAddress: string;
  /** Where the API listens, when this process serves it. */
  apiUrl?: string;
  /** The embedded dev server's Web UI, when this process launched one. */
  uiUrl?: string;
}

/** What runs where, printed once the process is up (the chat page first); the model line says plainly when the offline model answers. */
export function printStartBanner({ config, temporalAddress, apiUrl, uiUrl }: StartBanner): void {
  say('');
  if (apiUrl) {
    say(`  Chat page:      ${apiUrl}/   (open it in a browser)`);
    say(`  API:            ${apiUrl}   (try: curl -X POST ${apiUrl}/api/chat/session)`);
    say(`  Health:         ${apiUrl}/health`);
    say(`  API docs:       ${apiUrl}/docs   Metrics: ${apiUrl}/metrics`);
    if (!config.API_KEYS && !config.API_KEYS_FILE)
      say('  Auth:           OPEN: no API_KEYS configured, anyone who can reach the API can use it');
  }
  if (uiUrl) say(`  Temporal UI:    ${uiUrl}`);
  const temporal = temporalConnectionSummary(config, temporalAddress);
  say(
    `  Temporal:       ${temporal.address}   namespace: ${temporal.namespace}   tls: ${temporal.tls}   api_key: ${temporal.api_key}`,
  );
  say(`  Redis:          ${config.REDIS_URL}`);
  say(`  SQLite archive: ${config.sqliteFilename}`);
  say(
    config.llm.mode === 'offline'
      ? '  Model:          OFFLINE MODEL (built-in, rule-based) — set OPENROUTER_API_KEY or LLM_BASE_URL for a real LLM'
      : `  Models:         ${config.llm.models.map((m) => m.name).join(' → ')}${config.llm.offlineFallback ? ' → offline fallback' : ''}`,
  );
  say('  Ctrl-C stops everything.\n');
}
