import type { OpenApiDocument } from '../../src/api/openapi/openapi-document';

/**
 * The parts of our OpenAPI document the tests read, typed. The document types them as plain
 * JSON Schema records; these views name the fields the tests look at (unchecked: the
 * assertions on them are the checks).
 */
export interface SchemaView {
  type?: string;
  required?: string[];
  additionalProperties?: boolean;
  enum?: string[];
  const?: string;
  format?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  $ref?: string;
  properties?: Record<string, SchemaView>;
  oneOf?: SchemaView[];
}

export interface MediaView {
  schema?: { $ref: string };
  'x-sse-events'?: string[];
}

export interface OperationView {
  security?: unknown[];
  parameters?: Array<{ in: string; name: string; schema: SchemaView }>;
  responses: Record<string, { content?: Record<string, MediaView> }>;
}

/** `METHOD path` of the document, or undefined when it is not documented. */
export function operationOf(document: OpenApiDocument, method: string, path: string): OperationView | undefined {
  return document.paths[path]?.[method.toLowerCase()] as unknown as OperationView | undefined;
}

/** Every operation of the document with its path. */
export function operationsOf(document: OpenApiDocument): Array<{ path: string; op: OperationView }> {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.values(methods).map((op) => ({ path, op: op as unknown as OperationView })),
  );
}

/** A component schema of the document. */
export function schemaOf(document: OpenApiDocument, name: string): SchemaView {
  return document.components.schemas[name];
}
