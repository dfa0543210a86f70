import { createHash } from 'node:crypto';
import type { OpenApiDocument } from './openapi-document';

/** Server-rendered reference page: no scripts, no external assets (the service may run offline). */
const STYLE = `
body { font: 15px/1.5 system-ui, sans-serif; max-width: 960px; margin: 2rem auto; padding: 0 1rem; color: #1d2327; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2.5rem; }
section.op { border: 1px solid #ddd; border-radius: 6px; padding: .6rem 1rem; margin: 1rem 0; }
.method { display: inline-block; min-width: 4.5rem; font-weight: 700; text-transform: uppercase; }
.get { color: #0b6e4f; } .post { color: #1a56a8; } .delete { color: #a4161a; }
code, pre { font-family: ui-monospace, monospace; font-size: 13px; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; border-radius: 4px; }
table { border-collapse: collapse; } td, th { text-align: left; padding: .15rem .8rem .15rem 0; vertical-align: top; }
.public { font-size: 12px; color: #555; border: 1px solid #aaa; border-radius: 3px; padding: 0 .3rem; }
`;

/** The page's Content-Security-Policy: only this exact stylesheet may apply, nothing may load. */
export const DOCS_CONTENT_SECURITY_POLICY = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

function schemaLink(schema: unknown): string {
  const target = (schema as { $ref?: string } | undefined)?.$ref;
  if (!target) return '';
  const name = target.split('/').pop() as string;
  return `<a href="#schema-${escapeHtml(name)}">${escapeHtml(name)}</a>`;
}

/** The parts of an OpenAPI operation object this page shows. */
interface OperationObject {
  operationId: string;
  summary: string;
  description?: string;
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; schema: unknown; description?: string }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema?: unknown }> }>;
}

function renderOperation(path: string, method: string, op: OperationObject): string {
  const params = op.parameters ?? [];
  const body = op.requestBody?.content?.['application/json']?.schema;
  const responses = Object.entries(op.responses);
  return `<section class="op" id="${escapeHtml(op.operationId)}">
<div><span class="method ${method}">${method}</span> <code>${escapeHtml(path)}</code> ${Array.isArray(op.security) && op.security.length === 0 ? '<span class="public">no API key</span>' : ''}</div>
<p><strong>${escapeHtml(op.summary)}</strong>${op.description ? ` ${escapeHtml(op.description)}` : ''}</p>
${params.length ? `<table><tr><th>parameter</th><th>in</th><th>schema</th></tr>${params.map((p) => `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${p.in}</td><td><code>${escapeHtml(JSON.stringify(p.schema))}</code></td></tr>`).join('')}</table>` : ''}
${body ? `<p>Body (application/json): ${schemaLink(body)}</p>` : ''}
<table><tr><th>status</th><th>meaning</th><th>body</th></tr>${responses
    .map(([status, r]) => {
      const [type, media] = Object.entries(r.content ?? {})[0] ?? [];
      const events = (media as { 'x-sse-events'?: string[] } | undefined)?.['x-sse-events'];
      const eventList = events ? `<br>events: ${events.map((e) => `<code>${escapeHtml(e)}</code>`).join(', ')}` : '';
      return `<tr><td>${escapeHtml(status)}</td><td>${escapeHtml(r.description)}</td><td>${type ? `<code>${escapeHtml(type)}</code> ${schemaLink(media?.schema)}${eventList}` : ''}</td></tr>`;
    })
    .join('')}</table>
</section>`;
}

export function renderDocsPage(document: OpenApiDocument): string {
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => renderOperation(path, method, op as unknown as OperationObject)),
  );
  const schemas = Object.entries(document.components.schemas).map(
    ([name, schema]) =>
      `<h3 id="schema-${escapeHtml(name)}">${escapeHtml(name)}</h3><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(document.info.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body><h1>${escapeHtml(document.info.title)} <small>${escapeHtml(document.info.version)}</small></h1>
<p>${escapeHtml(document.info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${document.openapi}).</p>
<h2>Operations</h2>
${operations.join('\n')}
<h2>Schemas</h2>
${schemas.join('\n')}
</body></html>`;
}
