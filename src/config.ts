import path from 'node:path';
import type { z } from 'zod';
import { configSchema, type RawConfig } from './config-schema';
import { OFFLINE_MODEL_NAME, parseModelList, DEFAULT_OPENROUTER_MODELS, type ModelSpec } from './llm/model-list';

/** Which model endpoint the service talks to; `offline` means the built-in rule-based server. */
export type LlmMode = 'offline' | 'provider';

export interface Config extends RawConfig {
  sqliteFilename: string;
  /** The archive's database: DATABASE_URL (Postgres) when set, else the SQLite file. */
  archiveLocation: string;
  llm: {
    mode: LlmMode;
    /** The primary model's endpoint; undefined for the built-in offline model. */
    baseUrl: string | undefined;
    apiKey: string;
    /** The primary model: first in the chain. */
    model: string;
    priceInputPer1M: number;
    priceOutputPer1M: number;
    /** The fallback chain, in order. */
    models: ModelSpec[];
    /** Offline model answers when the whole chain fails. */
    offlineFallback: boolean;
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const DEFAULT_OPENROUTER_MODEL = 'deepseek/deepseek-chat-v3-0324:free';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const raw = parsed.data;
  if (Boolean(raw.TEMPORAL_TLS_CERT) !== Boolean(raw.TEMPORAL_TLS_KEY)) {
    throw new ConfigError(
      'Invalid configuration:\n  TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: set both (mTLS client certificate and its key) or neither',
    );
  }
  const provider = resolveProvider(raw);
  let models: ModelSpec[];
  try {
    models = raw.LLM_MODELS
      ? parseModelList(raw.LLM_MODELS, provider, env)
      : (raw.OPENROUTER_API_KEY && !raw.LLM_BASE_URL && !raw.LLM_MODEL
          ? DEFAULT_OPENROUTER_MODELS
          : [provider.model]
        ).map((name) => ({
          name,
          baseUrl: provider.baseUrl,
          apiKey: provider.apiKey,
          supportsTools: true,
          priceInputPer1M: provider.priceInputPer1M,
          priceOutputPer1M: provider.priceOutputPer1M,
        }));
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  ${(err as Error).message}`);
  }
  const primary = models[0];
  const sqliteFilename = raw.SQLITE_FILENAME ?? path.join(raw.DATA_DIR, 'chat.db');
  return {
    ...raw,
    sqliteFilename,
    archiveLocation: raw.DATABASE_URL ?? sqliteFilename,
    llm: {
      ...provider,
      model: primary.name,
      baseUrl: primary.baseUrl,
      models,
      offlineFallback: raw.LLM_OFFLINE_FALLBACK,
    },
  };
}

type ProviderSettings = Omit<Config['llm'], 'models' | 'offlineFallback'>;

function resolveProvider(raw: RawConfig): ProviderSettings {
  const prices = { priceInputPer1M: raw.LLM_PRICE_INPUT_PER_1M, priceOutputPer1M: raw.LLM_PRICE_OUTPUT_PER_1M };
  if (raw.LLM_BASE_URL) {
    return {
      mode: 'provider',
      baseUrl: raw.LLM_BASE_URL,
      apiKey: raw.LLM_API_KEY ?? 'none',
      model: raw.LLM_MODEL ?? 'gpt-4o-mini',
      ...prices,
    };
  }
  if (raw.OPENROUTER_API_KEY) {
    return {
      mode: 'provider',
      baseUrl: raw.OPENROUTER_BASE_URL,
      apiKey: raw.OPENROUTER_API_KEY,
      model: raw.LLM_MODEL ?? DEFAULT_OPENROUTER_MODEL,
      ...prices,
    };
  }
  if (raw.LLM_API_KEY) {
    return {
      mode: 'provider',
      baseUrl: 'https://api.openai.com/v1',
      apiKey: raw.LLM_API_KEY,
      model: raw.LLM_MODEL ?? 'gpt-4o-mini',
      ...prices,
    };
  }
  return {
    mode: 'offline',
    baseUrl: undefined,
    apiKey: 'offline',
    model: raw.LLM_MODEL ?? OFFLINE_MODEL_NAME,
    ...prices,
  };
}

/** Config keys and descriptions, for docs and the `.env.example` sync test. */
export function describeConfig(): Array<{ key: string; description: string }> {
  return Object.entries(configSchema.shape).map(([key, schema]) => ({
    key,
    description: (schema as z.ZodType).description ?? '',
  }));
}
