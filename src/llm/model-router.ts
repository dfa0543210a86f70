import type OpenAI from 'openai';
import { OFFLINE_MODEL_NAME, type ModelSpec } from './model-list';
import { createOpenAiClient } from './openai-client';

export interface RoutedModel {
  spec: ModelSpec;
  client: OpenAI;
}

/**
 * Model name → its spec and an openai client for its endpoint (one client per endpoint+key).
 * The built-in offline model is reachable by name whenever its server runs in this process.
 */
export class ModelRouter {
  private readonly routes = new Map<string, RoutedModel>();

  constructor(models: ModelSpec[], offlineBaseUrl: string | undefined, timeoutMs: number) {
    const clients = new Map<string, OpenAI>();
    const clientFor = (baseUrl: string, apiKey: string) => {
      const key = `${baseUrl}\n${apiKey}`;
      let client = clients.get(key);
      if (!client) {
        client = createOpenAiClient(baseUrl, apiKey, timeoutMs);
        clients.set(key, client);
      }
      return client;
    };
    const all = [...models];
    if (offlineBaseUrl && !all.some((m) => m.name === OFFLINE_MODEL_NAME)) {
      all.push({
        name: OFFLINE_MODEL_NAME,
        baseUrl: undefined,
        apiKey: 'offline',
        supportsTools: true,
        priceInputPer1M: 0,
        priceOutputPer1M: 0,
      });
    }
    for (const spec of all) {
      const baseUrl = spec.baseUrl ?? offlineBaseUrl;
      if (!baseUrl) throw new Error(`Model ${spec.name} needs the offline model server, which is not running.`);
      this.routes.set(spec.name, { spec, client: clientFor(baseUrl, spec.apiKey) });
    }
  }

  get(name: string): RoutedModel | undefined {
    return this.routes.get(name);
  }
}
