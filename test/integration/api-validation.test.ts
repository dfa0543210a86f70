import { randomUUID } from 'node:crypto';
import { calculatorScript } from '../helpers/fake-openai-server';
import {
  getJson,
  parseJson,
  postJson,
  type ErrorBody,
  type Health,
  type JsonResponse,
  type ValidationDetails,
} from '../helpers/http';
import { anyOf, matching } from '../helpers/matchers';
import { useScriptedStack } from '../helpers/scripted-stack';

/** Bad input gets a 4xx JSON error, never a stack trace, and reaches neither Temporal nor the model. */
describe('API input validation', () => {
  const t = useScriptedStack(calculatorScript);

  const expectJsonError = (res: JsonResponse<ErrorBody>, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.body.error).toMatchObject({ status, code, message: anyOf(String) });
    expect(JSON.stringify(res.body)).not.toMatch(/\n\s+at /); // no stack trace
  };

  it.each([
    ['an empty message', { message: '' }, 'message'],
    ['a whitespace-only message', { message: '   ' }, 'message'],
    ['a missing message', {}, 'message'],
    ['temperature 3', { message: 'hi', temperature: 3 }, 'temperature'],
    ['max_tokens 5000', { message: 'hi', max_tokens: 5000 }, 'max_tokens'],
    ['max_tokens 0', { message: 'hi', max_tokens: 0 }, 'max_tokens'],
    ['a non-boolean use_tools', { message: 'hi', use_tools: 'yes' }, 'use_tools'],
    ['a session_id that is not a UUID', { message: 'hi', session_id: '../../etc/passwd' }, 'session_id'],
    ['an unknown field', { message: 'hi', mesage: 'typo' }, '(body)'],
    ['a JSON array body', [1, 2], '(body)'],
  ])('when sending %s then it answers 422 naming the field', async (_name, body, field) => {
    const before = t.model.requests.length;
    const res = await postJson<ErrorBody<ValidationDetails>>(t.stack.url('/api/chat/message'), body);
    expectJsonError(res, 422, 'validation_failed');
    expect(res.body.error.details?.map((d) => d.field)).toContain(field);
    expect(t.model.requests.length).toBe(before);
  });

  it('when the message is longer than MESSAGE_MAX_CHARS then it answers 422', async () => {
    const res = await postJson<ErrorBody>(t.stack.url('/api/chat/message'), {
      message: 'x'.repeat(t.stack.config.MESSAGE_MAX_CHARS + 1),
    });
    expectJsonError(res, 422, 'validation_failed');
  });

  it('when the body is malformed JSON then it answers 400', async () => {
    expectJsonError(await postJson(t.stack.url('/api/chat/message'), '{"message": "hi"'), 400, 'bad_request');
  });

  it('when the body is not JSON then it answers 415', async () => {
    expectJsonError(
      await postJson(t.stack.url('/api/chat/message'), 'message=hi', { 'content-type': 'text/plain' }),
      415,
      'unsupported_media_type',
    );
  });

  it('when the body is larger than the limit then it answers 413', async () => {
    const res = await postJson<ErrorBody>(
      t.stack.url('/api/chat/message'),
      JSON.stringify({ message: 'x'.repeat(2_000_000) }),
    );
    expectJsonError(res, 413, 'payload_too_large');
  });

  it('when the session does not exist then sending to it answers 404', async () => {
    const res = await postJson<ErrorBody>(t.stack.url('/api/chat/message'), {
      message: 'hi',
      session_id: randomUUID(),
    });
    expectJsonError(res, 404, 'session_not_found');
  });

  it('when the session does not exist then its history answers 404', async () => {
    expectJsonError(await getJson(t.stack.url(`/api/chat/history/${randomUUID()}`)), 404, 'session_not_found');
  });

  it('when the history id is not a UUID then it answers 422', async () => {
    expectJsonError(await getJson(t.stack.url('/api/chat/history/not-a-session')), 422, 'validation_failed');
  });

  it('when a route does not exist then it answers a JSON 404', async () => {
    expectJsonError(await getJson(t.stack.url('/api/nope')), 404, 'not_found');
  });

  it('when the method is wrong then it answers a JSON 405', async () => {
    const res = await fetch(t.stack.url('/api/chat/session'), { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(parseJson<ErrorBody>(await res.text()).error.code).toBe('method_not_allowed');
  });

  it('when everything is up then /health says so', async () => {
    const res = await getJson<Health>(t.stack.url('/health'));
    expect(res.status).toBe(200);
    expect(res.body.checks).toMatchObject({
      temporal: { ok: true },
      redis: { ok: true },
      sqlite: { ok: true },
      model: { mode: 'provider', offline: false },
      auth: { mode: 'open', warning: matching(/NO API KEYS/) },
    });
  });
});
