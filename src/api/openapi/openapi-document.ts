import { z } from 'zod';
import { componentSchemas, operations, type OperationSpec, type SchemaName } from './operations';

type JsonSchema = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, JsonSchema>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, JsonSchema> };
  security: Array<Record<string, string[]>>;
  tags: Array<{ name: string; description: string }>;
}

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) of what a client sends or receives. */
function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

/**
 * Response schemas are rendered together through a zod registry, so one nested in another
 * (TurnResult inside StreamEvent) becomes a $ref rather than a copy. The request body is
 * rendered on its own as `input` (defaults make fields optional for the client).
 */
function componentJsonSchemas(schemas: ReturnType<typeof componentSchemas>): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [name, schema] of Object.entries(schemas)) if (name !== 'ChatRequest') registry.add(schema, { id: name });
  const rendered = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as {
    schemas: Record<string, JsonSchema>;
  };
  const responses = Object.fromEntries(
    Object.entries(rendered.schemas).map(([name, { $schema: _d, $id: _i, ...rest }]) => [name, rest]),
  );
  return { ChatRequest: toJsonSchema(schemas.ChatRequest, 'input'), ...responses };
}

function operationObject(op: OperationSpec): JsonSchema {
  const parameters = [
    ...Object.entries(op.pathParams ?? {}).map(([name, schema]) => ({
      name,
      in: 'path',
      required: true,
      schema: toJsonSchema(schema, 'input'),
    })),
    ...(op.headerParams ?? []).map((h) => ({
      name: h.name,
      in: 'header',
      required: false,
      description: h.description,
      schema: toJsonSchema(h.schema, 'input'),
    })),
    ...(op.queryParams ?? []).map((q) => ({
      name: q.name,
      in: 'query',
      required: false,
      description: q.description,
      schema: toJsonSchema(q.schema, 'input'),
    })),
  ];
  const responses = Object.fromEntries(
    Object.entries(op.responses).map(([status, response]) => {
      const contentType = response.contentType ?? 'application/json';
      return [
        status,
        {
          description: response.description,
          ...(response.headers
            ? {
                headers: Object.fromEntries(
                  Object.entries(response.headers).map(([name, description]) => [
                    name,
                    { description, schema: { type: 'string' } },
                  ]),
                ),
              }
            : {}),
          ...(response.schema || contentType !== 'application/json'
            ? {
                content: {
                  [contentType]: {
                    ...(response.schema ? { schema: ref(response.schema) } : {}),
                    // OpenAPI 3.1 cannot say which events a stream carries: an extension lists them.
                    ...(response.events ? { 'x-sse-events': [...response.events] } : {}),
                  },
                },
              }
            : {}),
        },
      ];
    }),
  );
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    ...(op.public ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(op.requestBody
      ? {
          requestBody: {
            required: !op.requestBodyOptional,
            content: { 'application/json': { schema: ref(op.requestBody) } },
          },
        }
      : {}),
    responses,
  };
}

/** The whole API as OpenAPI 3.1, generated from the zod schemas the routes validate with. */
export function buildOpenApiDocument(options: { maxMessageChars: number; version?: string }): OpenApiDocument {
  const schemas = componentSchemas(options.maxMessageChars);
  const paths: OpenApiDocument['paths'] = {};
  for (const op of operations) {
    paths[op.path] ??= {};
    paths[op.path][op.method] = operationObject(op);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'durable-chat-agent API',
      version: options.version ?? '0.1.0',
      description:
        'Chat sessions as durable Temporal workflows. Errors are JSON `{ error: { status, code, message, details? } }`. ' +
        'When API keys are configured every /api request needs `Authorization: Bearer <key>`.',
    },
    paths,
    components: {
      schemas: componentJsonSchemas(schemas),
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from API_KEYS / API_KEYS_FILE.' },
      },
    },
    security: [{ apiKey: [] }],
    tags: [
      { name: 'chat', description: 'Sessions, messages and history.' },
      { name: 'memory', description: "The caller's long-term memories: list, search, delete." },
      { name: 'operations', description: 'Health, metrics and this description (no API key needed).' },
    ],
  };
}

/** `METHOD /path` of every documented operation, in the form registeredRoutes() uses. */
export function documentedRoutes(document: OpenApiDocument): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}
