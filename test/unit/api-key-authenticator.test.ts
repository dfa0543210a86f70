import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ANONYMOUS_PRINCIPAL, ApiKeyAuthenticator, loadApiKeys } from '../../src/api/security/api-key-authenticator';
import { ConfigError } from '../../src/config';

const ALICE_KEY = 'alice-key-0123456789abcdef';
const BOB_KEY = 'bob-key-0123456789abcdef:with-colon';

describe('API key authentication', () => {
  const auth = new ApiKeyAuthenticator(loadApiKeys(`${ALICE_KEY}:alice, ${BOB_KEY}:bob`, undefined));

  it('when no keys are configured then everyone is the anonymous principal', () => {
    const open = new ApiKeyAuthenticator(loadApiKeys(undefined, undefined));
    expect(open.open).toBe(true);
    expect(open.authenticate(undefined)).toEqual({ ok: true, principal: ANONYMOUS_PRINCIPAL });
  });

  it('when a configured key is presented as a bearer token then its principal is returned', () => {
    expect(auth.open).toBe(false);
    expect(auth.authenticate(`Bearer ${ALICE_KEY}`)).toEqual({ ok: true, principal: 'alice' });
    expect(auth.authenticate(`bearer ${BOB_KEY}`)).toEqual({ ok: true, principal: 'bob' });
  });

  it.each([
    ['no header', undefined, 'missing'],
    ['an empty header', '', 'missing'],
    ['a Basic header', `Basic ${ALICE_KEY}`, 'missing'],
    ['a bare key', ALICE_KEY, 'missing'],
    ['two tokens', `Bearer ${ALICE_KEY} ${ALICE_KEY}`, 'missing'],
    ['a wrong key', 'Bearer not-the-key-0123456789', 'invalid'],
    ['a prefix of a key', `Bearer ${ALICE_KEY.slice(0, -1)}`, 'invalid'],
    ['a key with a suffix', `Bearer ${ALICE_KEY}x`, 'invalid'],
  ])('when the request carries %s then it is refused', (_name, header, reason) => {
    expect(auth.authenticate(header)).toEqual({ ok: false, reason });
  });

  it('when keys come from a file then they are merged with API_KEYS', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'keys-')), 'keys.json');
    fs.writeFileSync(file, JSON.stringify({ 'carol-key-0123456789abcdef': 'carol' }));
    const merged = new ApiKeyAuthenticator(loadApiKeys(`${ALICE_KEY}:alice`, file));
    expect(merged.principalCount).toBe(2);
    expect(merged.authenticate('Bearer carol-key-0123456789abcdef')).toEqual({ ok: true, principal: 'carol' });
  });

  it.each([
    ['a short key', 'short:alice', undefined],
    ['no principal', `${ALICE_KEY}:`, undefined],
    ['no colon', ALICE_KEY, undefined],
    ['a bad principal name', `${ALICE_KEY}:al ice`, undefined],
    ['a repeated key', `${ALICE_KEY}:alice,${ALICE_KEY}:bob`, undefined],
  ])('when API_KEYS has %s then loading fails without quoting the key', (_name, value, file) => {
    let error: unknown;
    try {
      loadApiKeys(value, file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain(ALICE_KEY);
  });

  it('when the keys file is not a JSON object then loading fails without quoting its content', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keys-'));
    const broken = path.join(dir, 'broken.json');
    fs.writeFileSync(broken, `{"${ALICE_KEY}": `);
    expect(() => loadApiKeys(undefined, broken)).toThrow(ConfigError);
    expect(() => loadApiKeys(undefined, broken)).not.toThrow(new RegExp(ALICE_KEY));
    const list = path.join(dir, 'list.json');
    fs.writeFileSync(list, JSON.stringify([ALICE_KEY]));
    expect(() => loadApiKeys(undefined, list)).toThrow(/JSON object/);
    expect(() => loadApiKeys(undefined, path.join(dir, 'missing.json'))).toThrow(/ENOENT/);
  });
});
