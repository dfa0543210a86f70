import OpenAI from 'openai';

/** Provider-side retries are off: Temporal owns retries, so every attempt is visible in history. */
export function createOpenAiClient(baseURL: string, apiKey: string, timeoutMs: number): OpenAI {
  return new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: timeoutMs });
}
