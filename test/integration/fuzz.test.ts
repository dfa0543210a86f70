import { documentedRoutes, buildOpenApiDocument } from '../../src/api/openapi/openapi-document';
import { errorResponseSchema } from '../../src/api/openapi/response-schemas';
import { chatRequestSchema } from '../../src/api/requests/request-schemas';
import { sessionWorkflowId } from '../../src/contract/session-workflow';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server';
import { generateFuzzCases, type FuzzCase } from '../helpers/fuzz-cases';
import { destroyFuzzAgent, sendHttp, sendRaw, type SentResult } from '../helpers/raw-http';
import type { TurnResult } from '../../src/contract/turn';
import { postJson, type SessionCreated } from '../helpers/http';
import { startTestStack, type TestStack } from '../helpers/test-stack';
import { waitUntil } from '../helpers/wait-for';

const KEY = 'sk-fuzz-0123456789abcdef0123';
const CASES = 1_200;
const CONCURRENCY = 12;
const SEED = Number(process.env.FUZZ_SEED ?? 20240606);

/**
 * Over a thousand generated malformed requests against every documented endpoint of a real
 * stack (with API keys on): no 5xx, every JSON error in the documented shape without a stack
 * trace, no workflow with an id we did not issue, and a normal turn still works afterwards.
 */
describe('fuzzed bad input', () => {
  let model: FakeOpenAiServer;
  let stack: TestStack;

  beforeAll(async () => {
    model = await startFakeOpenAiServer(() => ({ content: 'fuzz-ok' }));
    stack = await startTestStack({
      llmBaseUrl: model.baseUrl,
      env: { API_KEYS: `${KEY}:fuzzer`, TURN_WAIT_TIMEOUT_SECONDS: '20' },
    });
  });
  afterAll(async () => {
    destroyFuzzAgent();
    await stack?.stop();
    await model?.close();
  });

  it(`when ${CASES} malformed requests hit every endpoint then none gets a 5xx and a normal turn still works`, async () => {
    const authorization = `Bearer ${KEY}`;
    const created = await postJson<SessionCreated>(stack.url('/api/chat/session'), {}, { authorization });
    expect(created.status).toBe(201);
    const chatRequest = chatRequestSchema(stack.config.MESSAGE_MAX_CHARS);
    const routes = documentedRoutes(buildOpenApiDocument({ maxMessageChars: stack.config.MESSAGE_MAX_CHARS }));
    const cases = generateFuzzCases(
      {
        routes,
        authorization,
        existingSessionId: created.body.session_id,
        isValidChatRequest: (body) => chatRequest.safeParse(body).success,
      },
      SEED,
      CASES,
    );
    const port = Number(new URL(stack.api.url).port);

    const results: Array<{ c: FuzzCase; r: SentResult }> = [];
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++];
        const r = 'raw' in c ? await sendRaw(port, c.raw, 5_000) : await sendHttp(port, c.http, 25_000);
        results.push({ c, r });
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsed = Date.now() - started;

    const byStatus: Record<string, number> = {};
    const byKind: Record<string, Record<string, number>> = {};
    for (const { c, r } of results) {
      byStatus[r.outcome] = (byStatus[r.outcome] ?? 0) + 1;
      byKind[c.kind] ??= {};
      byKind[c.kind][r.outcome] = (byKind[c.kind][r.outcome] ?? 0) + 1;
    }
    console.log(
      `fuzz: ${results.length} requests in ${elapsed} ms (seed ${SEED})\nby status: ${JSON.stringify(byStatus)}\nby kind: ${JSON.stringify(byKind, null, 1)}`,
    );

    const describe = ({ c, r }: { c: FuzzCase; r: SentResult }) =>
      `${c.kind} ${'raw' in c ? JSON.stringify(c.raw.toString('latin1').slice(0, 120)) : `${c.http.method} ${c.http.path.slice(0, 120)}`} → ${r.outcome} ${r.body.slice(0, 200)}`;
    expect(results).toHaveLength(CASES);
    expect(results.filter(({ r }) => typeof r.outcome === 'number' && r.outcome >= 500).map(describe)).toEqual([]);
    expect(results.filter(({ r }) => r.outcome === 'timeout').map(describe)).toEqual([]);
    // Only unparseable HTTP and bodies the server refused early may end without an answer.
    expect(
      results
        .filter(
          ({ c, r }) => typeof r.outcome === 'string' && !['raw-bytes', 'huge-body', 'huge-headers'].includes(c.kind),
        )
        .map(describe),
    ).toEqual([]);
    expect(results.filter(({ r }) => r.outcome === 200).length).toBeLessThan(CASES / 4);
    expect(results.filter(({ r }) => /\n\s+at .+:\d+:\d+/.test(r.body)).map(describe)).toEqual([]);

    // Every JSON answer from a failed request is the documented error shape.
    const malformedErrors = results
      .filter(
        ({ r }) => typeof r.outcome === 'number' && r.outcome >= 400 && r.contentType?.startsWith('application/json'),
      )
      .filter(({ r }) => {
        try {
          return !errorResponseSchema.safeParse(JSON.parse(r.body)).success;
        } catch {
          return true;
        }
      });
    expect(malformedErrors.map(describe)).toEqual([]);

    // Nothing a client sent became a workflow id: every workflow on the stack's task queue is one
    // of the sessions the server issued (the one created above, or one a 2xx answer handed out
    // that the request had not named itself).
    const requestText = (c: FuzzCase) =>
      'raw' in c ? c.raw.toString('latin1') : `${c.http.path} ${c.http.body?.toString('latin1') ?? ''}`;
    const issued = new Set([created.body.session_id]);
    for (const { c, r } of results) {
      if (typeof r.outcome !== 'number' || r.outcome < 200 || r.outcome >= 300) continue;
      for (const [, id] of r.body.matchAll(/"session_id":"([^"]+)"/g)) if (!requestText(c).includes(id)) issued.add(id);
    }
    const expectedIds = new Set([...issued].map((id) => sessionWorkflowId(id)));
    const listed = await waitUntil(
      async () => {
        const ids: string[] = [];
        for await (const wf of stack.client.workflow.list({
          query: `TaskQueue = "${stack.config.TEMPORAL_TASK_QUEUE}"`,
        }))
          ids.push(wf.workflowId);
        return ids;
      },
      (ids) => ids.includes(sessionWorkflowId(created.body.session_id)),
      { timeoutMs: 20_000, what: 'the created session in the workflow list' },
    );
    expect(listed.filter((id) => !expectedIds.has(id))).toEqual([]);

    // Still healthy, still answering turns.
    expect((await fetch(stack.url('/health'))).status).toBe(200);
    const turn = await postJson<TurnResult>(
      stack.url('/api/chat/message'),
      { session_id: created.body.session_id, message: 'hello after the storm' },
      { authorization },
    );
    expect(turn.status).toBe(200);
    expect(turn.body).toMatchObject({ status: 'completed', response: 'fuzz-ok' });
  }, 120_000);
});
