import { z } from 'zod';

/**
 * The ordered list of models a turn may try. Keys stay here (process config), never in
 * workflow input: the workflow only sees names and whether each supports tools.
 */
export interface ModelSpec {
  name: string;
  /** Undefined: the built-in offline model, whose URL is known once its server runs. */
  baseUrl: string | undefined;
  apiKey: string;
  supportsTools: boolean;
  priceInputPer1M: number;
  priceOutputPer1M: number;
}

/** The built-in offline model's name, in the chain and in results. */
export const OFFLINE_MODEL_NAME = 'offline-rules';

export class ModelChainConfigError extends Error {
  override name = 'ModelChainConfigError';
}

/** The default chain on OpenRouter: free models, in fallback order. */
export const DEFAULT_OPENROUTER_MODELS = [
  'deepseek/deepseek-chat-v3-0324:free',
  'google/gemini-2.0-flash-exp:free',
  'qwen/qwen3-235b-a22b-07-25:free',
];

const entrySchema = z
  .object({
    model: z.string().min(1),
    base_url: z.url().optional(),
    /** Name of the environment variable holding this model's key (keys are never written inline). */
    api_key_env: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/)
      .optional(),
    tools: z.boolean().default(true),
    input_per_1m: z.number().min(0).optional(),
    output_per_1m: z.number().min(0).optional(),
  })
  .strict();

export interface ProviderDefaults {
  baseUrl: string | undefined;
  apiKey: string;
  priceInputPer1M: number;
  priceOutputPer1M: number;
}

/**
 * `LLM_MODELS` is either a comma-separated list of model names on the default provider, or a
 * JSON array of `{ model, base_url?, api_key_env?, tools?, input_per_1m?, output_per_1m? }`.
 */
export function parseModelList(raw: string, defaults: ProviderDefaults, env: NodeJS.ProcessEnv): ModelSpec[] {
  const text = raw.trim();
  if (!text.startsWith('[')) {
    return text
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean)
      .map((name) => ({ name, ...defaults, supportsTools: true }));
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelChainConfigError(`LLM_MODELS is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = z.array(entrySchema).min(1).safeParse(json);
  if (!parsed.success) {
    throw new ModelChainConfigError(
      `LLM_MODELS: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data.map((entry) => {
    const apiKey = entry.api_key_env ? env[entry.api_key_env] : defaults.apiKey;
    if (entry.api_key_env && !apiKey)
      throw new ModelChainConfigError(`LLM_MODELS: ${entry.model} names ${entry.api_key_env}, which is not set.`);
    return {
      name: entry.model,
      baseUrl: entry.base_url ?? defaults.baseUrl,
      apiKey: apiKey ?? defaults.apiKey,
      supportsTools: entry.tools,
      priceInputPer1M: entry.input_per_1m ?? defaults.priceInputPer1M,
      priceOutputPer1M: entry.output_per_1m ?? defaults.priceOutputPer1M,
    };
  });
}

/**
 * One opaque label per model naming its provider endpoint + API key (`p1`, `p2`, … in order of
 * first use), so the workflow can tell which models one invalid key stops without seeing the key.
 */
export function providerLabels(models: ModelSpec[]): string[] {
  const seen = new Map<string, string>();
  return models.map((m) => {
    const key = `${m.baseUrl ?? '(offline)'}\n${m.apiKey}`;
    let label = seen.get(key);
    if (!label) {
      label = `p${seen.size + 1}`;
      seen.set(key, label);
    }
    return label;
  });
}
