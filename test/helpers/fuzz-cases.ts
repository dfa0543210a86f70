import { randomUUID } from 'node:crypto';
import type { HttpCase } from './raw-http';

/**
 * Generated malformed requests for the fuzz test, from a seeded PRNG so a failing run can be
 * replayed (FUZZ_SEED). Each case names its kind, so the report shows what broke.
 */
export type FuzzCase = { kind: string } & ({ http: HttpCase } | { raw: Buffer });

export interface FuzzTargets {
  /** Every documented route, e.g. `POST /api/chat/session/{session_id}/cancel`. */
  routes: string[];
  authorization: string;
  existingSessionId: string;
  /** Whether a body would pass validation (such a body starts a real turn). */
  isValidChatRequest(body: unknown): boolean;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const STRANGE_STRINGS: string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'lone low \udfff surrogate',
  'x\ud83d',
  '\ud83d\ude00 emoji',
  '\u202eRTL override',
  '\ufeffBOM',
  '\u200b\u200b',
  'e\u0301'.repeat(500),
  'x'.repeat(10_000),
  '\u{1d54f}'.repeat(5_000),
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  "'; DROP TABLE chat_history; --",
  '" OR 1=1 --',
  '{{constructor.constructor("return process")()}}',
  '${7*7}',
  '<script>alert(1)</script>',
  '%00',
  '\r\nSet-Cookie: x=y',
  'chat-session-../../x',
  '__proto__',
  'constructor',
  'null',
  'NaN',
  '-1',
  '\u0085\u2028\u2029',
  '\uffff\ufffe',
  'ﬁ Å Å',
];

/** JSON fragments of the wrong type or out of range; some are not representable by JSON.stringify. */
const RAW_VALUES: string[] = [
  'null',
  'true',
  'false',
  '0',
  '-1',
  '1.5',
  '-0',
  '1e309',
  '-1e309',
  '1e21',
  '9007199254740993',
  '[]',
  '{}',
  '[1,2]',
  '{"$gt":""}',
  '"0.7"',
  '"true"',
  '{"__proto__":{"polluted":true}}',
  '[[[[[[[[[[]]]]]]]]]]',
  ...STRANGE_STRINGS.map((s) => JSON.stringify(s)),
];

const BAD_IDS: string[] = [
  '..%2F..%2Fetc%2Fpasswd',
  '..',
  '%2e%2e',
  '%00',
  'abc%00def',
  '%ZZ',
  '%',
  '%ED%A0%80',
  '%F0%9F%98%80',
  '%E2%80%AE',
  'not-a-uuid',
  "'%20OR%201=1--",
  '%7B%7B7*7%7D%7D',
  '%3Cscript%3E',
  'x'.repeat(5_000),
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '{00000000-0000-4000-8000-000000000000}',
  '00000000-0000-4000-8000-00000000000g',
  'chat-session-00000000-0000-4000-8000-000000000000',
  '00000000-0000-4000-8000-000000000000%0A',
  '00000000-0000-4000-8000-000000000000.json',
  '%2F',
  '*',
];

const ODD_METHODS = [
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'HEAD',
  'PROPFIND',
  'MKCOL',
  'SEARCH',
  'PURGE',
  'LOCK',
  'REPORT',
  'POST',
  'GET',
];

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json; charset=nope',
  'application/merge-patch+json',
  'application/xml',
  '%%%',
  '',
  'application/json, text/plain',
  'application/JSON',
];

export function generateFuzzCases(targets: FuzzTargets, seed: number, count: number): FuzzCase[] {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const auth = { authorization: targets.authorization };
  const json = (text: string) => Buffer.from(text, 'utf8');
  const routeOf = (route: string) => {
    const [method, template] = route.split(' ');
    return { method, template };
  };
  const fill = (template: string, id: string) => template.replace('{session_id}', id);
  const anyRoute = () => routeOf(pick(targets.routes));
  const bodyRoutes = targets.routes.filter((r) => r.startsWith('POST ')).map(routeOf);
  const messageRoutes = bodyRoutes.filter((r) => r.template.startsWith('/api/chat/message'));
  let validTurnsLeft = 8;

  /** A chat body with one field replaced by a raw JSON value; kept invalid unless the turn budget allows. */
  const mutatedChatBody = (): string => {
    const fields: Record<string, string> = { message: '"hello"' };
    if (random() < 0.5) fields.session_id = JSON.stringify(random() < 0.5 ? randomUUID() : targets.existingSessionId);
    const field = pick([
      'message',
      'session_id',
      'use_tools',
      'model',
      'temperature',
      'max_tokens',
      'extra',
      '__proto__',
      'constructor',
    ]);
    fields[field] = pick(RAW_VALUES);
    let text = `{${Object.entries(fields)
      .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
      .join(',')}}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return text;
    }
    if (targets.isValidChatRequest(parsed)) {
      // Valid by chance: a real turn. A few run (in new sessions); the rest get an unknown field.
      const body = parsed as { session_id?: string };
      if (validTurnsLeft > 0 && body.session_id === undefined) validTurnsLeft--;
      else text = text.replace(/^\{/, '{"unexpected_field":1,');
    }
    return text;
  };

  const generators: Array<[string, () => FuzzCase]> = [
    [
      'wrong-types',
      () => {
        const { method, template } = pick(messageRoutes);
        return {
          kind: 'wrong-types',
          http: {
            method,
            path: template,
            headers: { ...auth, 'content-type': 'application/json' },
            body: json(mutatedChatBody()),
          },
        };
      },
    ],
    [
      'broken-json',
      () => {
        const { method, template } = pick(bodyRoutes);
        const text = pick([
          '{"message": "hi"',
          '{"message": "hi",}',
          "{'message': 'hi'}",
          '{"message": NaN}',
          '{"message": "hi" /* c */}',
          '\ufeff{"message": "hi"}',
          '{"message": "\\ud800"',
          '{"message": "\\x00"}',
          '{"message": "\\u12"}',
          '{"message":"a"}{"message":"b"}',
          'null',
          '"just a string"',
          '12345',
          '[',
          '}',
          '',
          '   ',
          '{"message": "hi", "message": 5}',
          '{"message": "hi", "session_id": "' + targets.existingSessionId + '", "use_tools": tru}',
        ]);
        return {
          kind: 'broken-json',
          http: {
            method,
            path: fill(template, targets.existingSessionId),
            headers: { ...auth, 'content-type': 'application/json' },
            body: json(text),
          },
        };
      },
    ],
    [
      'deep-json',
      () => {
        const { method, template } = pick(bodyRoutes);
        const depth = pick([1_000, 10_000, 100_000]);
        const text = pick([
          () => '['.repeat(depth) + ']'.repeat(depth),
          () => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
          () => '{"message":' + '['.repeat(depth) + ']'.repeat(depth) + '}',
          () => '{"message":"hi","model":' + '{"x":'.repeat(depth) + 'null' + '}'.repeat(depth) + '}',
          () => '['.repeat(depth),
        ])();
        return {
          kind: 'deep-json',
          http: {
            method,
            path: fill(template, randomUUID()),
            headers: { ...auth, 'content-type': 'application/json' },
            body: json(text),
          },
        };
      },
    ],
    [
      'huge-body',
      () => {
        const { method, template } = pick(messageRoutes);
        const size = pick([9_000, 100_000, 1_100_000, 3_000_000]);
        return {
          kind: 'huge-body',
          http: {
            method,
            path: template,
            headers: { ...auth, 'content-type': 'application/json' },
            body: json(JSON.stringify({ message: 'y'.repeat(size), session_id: randomUUID() })),
          },
        };
      },
    ],
    [
      'content-type',
      () => {
        const { method, template } = pick(bodyRoutes);
        const headers: Record<string, string> = { ...auth };
        const type = pick(CONTENT_TYPES);
        if (type !== '') headers['content-type'] = type;
        return {
          kind: 'content-type',
          http: {
            method,
            path: fill(template, randomUUID()),
            headers,
            body: json(`{"message":"hi","session_id":"${randomUUID()}"}`),
          },
        };
      },
    ],
    [
      'bad-id',
      () => {
        const withId = targets.routes.filter((r) => r.includes('{session_id}')).map(routeOf);
        const { method, template } = pick(withId);
        const headers: Record<string, string> = { ...auth };
        let body: Buffer | undefined;
        if (method === 'POST') {
          headers['content-type'] = 'application/json';
          body = json('{}');
        }
        return { kind: 'bad-id', http: { method, path: fill(template, pick(BAD_IDS)), headers, body } };
      },
    ],
    [
      'bad-id-in-body',
      () => {
        const { method, template } = pick(messageRoutes);
        const id = pick([...STRANGE_STRINGS, ...BAD_IDS.map((b) => decodeURIComponentSafe(b))]);
        return {
          kind: 'bad-id-in-body',
          http: {
            method,
            path: template,
            headers: { ...auth, 'content-type': 'application/json' },
            body: json(JSON.stringify({ message: 'hi', session_id: id })),
          },
        };
      },
    ],
    [
      'odd-path',
      () => {
        const { template } = anyRoute();
        const path = pick([
          () => `${fill(template, randomUUID())}/`,
          () => fill(template, randomUUID()).replace('/api/', '/api//'),
          () => fill(template, randomUUID()).toUpperCase(),
          () => `/%2e%2e${fill(template, randomUUID())}`,
          () => `${fill(template, randomUUID())}?x=%zz&__proto__[a]=1&session_id=../../x`,
          () => `${fill(template, randomUUID())}/..%2f..%2f..%2fetc%2fpasswd`,
          () => `/api/chat/../../../etc/passwd`,
          () => `/${'a/'.repeat(2_000)}`,
          () => `/api/${'%F0%9F%92%A9'.repeat(100)}`,
          () => '*',
        ])();
        return { kind: 'odd-path', http: { method: pick(['GET', 'POST', 'DELETE']), path, headers: { ...auth } } };
      },
    ],
    [
      'odd-method',
      () => {
        const { template } = anyRoute();
        const method = pick(ODD_METHODS);
        const headers: Record<string, string> = { ...auth };
        let body: Buffer | undefined;
        if (random() < 0.5) {
          headers['content-type'] = 'application/json';
          body = json('{"message":"hi"}');
        }
        return { kind: 'odd-method', http: { method, path: fill(template, randomUUID()), headers, body } };
      },
    ],
    [
      'auth',
      () => {
        const { method, template } = anyRoute();
        const authorization = pick([
          '',
          'Bearer',
          'Bearer ',
          `Bearer ${'k'.repeat(10_000)}`,
          `bearer  ${targets.authorization.slice(7)}x`,
          `Basic ${Buffer.from('a:b').toString('base64')}`,
          'Bearer \u00ff\u00fe\u00e9',
          `Bearer ${targets.authorization.slice(7, -1)}`,
          'Token abc',
          'Bearer null',
        ]);
        const headers: Record<string, string> = authorization ? { authorization } : {};
        return { kind: 'auth', http: { method, path: fill(template, randomUUID()), headers } };
      },
    ],
    [
      'huge-headers',
      () => {
        const { method, template } = anyRoute();
        const headers: Record<string, string> = { ...auth };
        const variant = pick(['one-big', 'many', 'request-id', 'cookie']);
        if (variant === 'one-big') headers['x-big'] = 'a'.repeat(pick([8_000, 20_000, 70_000]));
        if (variant === 'many') for (let i = 0; i < 300; i++) headers[`x-h-${i}`] = 'v'.repeat(50);
        if (variant === 'request-id')
          headers['x-request-id'] = pick(['r'.repeat(5_000), '\u00e9\u00ff', 'a b', '../../x', '']);
        if (variant === 'cookie') headers.cookie = 'a=b; '.repeat(2_000);
        return { kind: 'huge-headers', http: { method, path: fill(template, randomUUID()), headers } };
      },
    ],
    [
      'raw-bytes',
      () => {
        const id = randomUUID();
        const key = targets.authorization;
        const text = pick([
          `GET /api/chat/history/\u0000 HTTP/1.1\r\nHost: x\r\nAuthorization: ${key}\r\n\r\n`,
          `GET /api/chat/history/\u00e9\u00ff HTTP/1.1\r\nHost: x\r\nAuthorization: ${key}\r\n\r\n`,
          `POST /api/chat/message HTTP/1.1\r\nHost: x\r\nAuthorization: ${key}\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
          `POST /api/chat/message HTTP/1.1\r\nHost: x\r\nAuthorization: ${key}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n`,
          `POST /api/chat/message HTTP/1.1\r\nHost: x\r\nAuthorization: ${key}\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{}`,
          `POST /api/chat/message HTTP/1.1\r\nHost: x\r\nAuthorization: ${key}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
          `POST /api/chat/message HTTP/1.1\r\nHost: x\r\nAuthorization: ${key}\r\nContent-Type: application/json\r\nContent-Length: 40\r\nConnection: close\r\n\r\n{"message":"\xff\xfe\xfd","session_id":"${id}"}`,
          `GARBAGE\r\n\r\n`,
          `GET / HTTP/9.9\r\n\r\n`,
          `GET /health HTTP/1.1\r\nHost: x\r\nNoColonHeader\r\n\r\n`,
          `GET /health HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n`,
          `FOO /api/chat/session HTTP/1.1\r\nHost: x\r\n\r\n`,
          `\r\n\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n`,
          `GET /api/chat/session/${id} HTTP/1.1\r\nHost: x\r\nAuthorization: ${key}\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`,
        ]);
        return { kind: 'raw-bytes', raw: Buffer.from(text, 'latin1') };
      },
    ],
  ];

  const cases: FuzzCase[] = [];
  for (let i = 0; i < count; i++) cases.push(generators[i % generators.length][1]());
  return cases;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
