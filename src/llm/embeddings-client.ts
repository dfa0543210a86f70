import { createOpenAiClient } from './openai-client';

/** Turns texts into vectors through an OpenAI-compatible `/embeddings` endpoint (EMBEDDINGS_MODEL). */
export class EmbeddingsClient {
  private readonly client;

  constructor(
    baseUrl: string,
    apiKey: string,
    readonly model: string,
    timeoutMs: number,
  ) {
    this.client = createOpenAiClient(baseUrl, apiKey, timeoutMs);
  }

  /** One vector per text, in order. */
  async embed(texts: string[]): Promise<Float32Array[]> {
    const answer = await this.client.embeddings.create({ model: this.model, input: texts, encoding_format: 'float' });
    return [...answer.data].sort((a, b) => a.index - b.index).map((d) => Float32Array.from(d.embedding));
  }
}
