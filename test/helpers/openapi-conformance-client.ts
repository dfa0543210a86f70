import type { z } from 'zod';
import type { OpenApiDocument } from '../../src/api/openapi/openapi-document';
import { componentSchemas, type SchemaName } from '../../src/api/openapi/operations';
import { parseJson, requestJson } from './http';
import { operationOf } from './openapi-views';
import { readSseEvents, type ReceivedEvent } from './sse-client';
import { conformanceProblems } from './strict-conformance';
import type { TestStack } from './test-stack';

/**
 * Calls to a running stack that check each answer against the stack's own OpenAPI document:
 * the status is documented for the operation, and the body (each SSE event, for streams) fits
 * the documented schema exactly, with no undocumented field.
 */
/** What a call answered: its status and its parsed body. */
export interface StatusAndBody<T> {
  status: number;
  body: T;
}

export interface ConformanceClient {
  /** `METHOD url` (of the documented `path`); `T` is the body the test expects for the status it asserts. */
  call: <T>(method: string, url: string, path: string, body?: unknown) => Promise<StatusAndBody<T>>;
  /** A stream call: 200, documented as text/event-stream, every event named for the route and fitting StreamEvent. */
  stream: (
    method: string,
    url: string,
    path: string,
    body?: unknown,
    onFrame?: (frame: ReceivedEvent) => Promise<void> | void,
  ) => Promise<ReceivedEvent[]>;
}

export async function conformanceClient(stack: TestStack): Promise<ConformanceClient> {
  const document = parseJson<OpenApiDocument>(await (await fetch(stack.url('/openapi.json'))).text());
  const schemas: Record<SchemaName, z.ZodType> = componentSchemas(stack.config.MESSAGE_MAX_CHARS);

  /** The documented response of `METHOD path` for `status`: its content type, schema name and SSE event names. */
  function documented(method: string, path: string, status: number) {
    const op = operationOf(document, method, path);
    expect([method, path, op === undefined ? 'undocumented operation' : 'ok']).toEqual([method, path, 'ok']);
    const response = op?.responses[String(status)];
    expect([method, path, status, response === undefined ? 'undocumented status' : 'ok']).toEqual([
      method,
      path,
      status,
      'ok',
    ]);
    const [contentType, media] = Object.entries(response?.content ?? {})[0] ?? [];
    const schemaName = media?.schema?.$ref.split('/').pop() as SchemaName | undefined;
    return { contentType, schemaName, events: media?.['x-sse-events'] };
  }

  function expectConforms(schemaName: SchemaName | undefined, body: unknown, what: string) {
    expect([what, schemaName ?? 'no schema documented']).toEqual([what, expect.any(String)]);
    expect([what, conformanceProblems(schemas[schemaName as SchemaName], body)]).toEqual([what, []]);
  }

  async function call<T>(method: string, url: string, path: string, body?: unknown): Promise<StatusAndBody<T>> {
    const response = await requestJson<T>(method, stack.url(url), body);
    const spec = documented(method, path, response.status);
    if (spec.schemaName) expectConforms(spec.schemaName, response.body, `${method} ${url} → ${response.status}`);
    return { status: response.status, body: response.body };
  }

  async function stream(
    method: string,
    url: string,
    path: string,
    body?: unknown,
    onFrame?: (frame: ReceivedEvent) => Promise<void> | void,
  ): Promise<ReceivedEvent[]> {
    const response = await fetch(stack.url(url), {
      method,
      headers: body !== undefined ? { 'content-type': 'application/json' } : {},
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    expect(response.status).toBe(200);
    const spec = documented(method, path, 200);
    expect(spec.contentType).toBe('text/event-stream');
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const frames = await readSseEvents(response, onFrame);
    for (const frame of frames) {
      expect([frame.event, spec.events?.includes(frame.event)]).toEqual([frame.event, true]);
      expectConforms(spec.schemaName, frame, `${method} ${url} event ${frame.event}`);
    }
    return frames;
  }

  return { call, stream };
}
