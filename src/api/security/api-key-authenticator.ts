import { createHash, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import { ConfigError } from '../../config';

/** The principal of every request when no keys are configured. */
export const ANONYMOUS_PRINCIPAL = 'anonymous';

const PRINCIPAL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const MIN_KEY_LENGTH = 16;

export type AuthResult = { ok: true; principal: string } | { ok: false; reason: 'missing' | 'invalid' };

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Checks `Authorization: Bearer <key>` against the configured keys. Only sha256 digests are kept,
 * and every digest is compared with timingSafeEqual, so neither the key nor which entry matched
 * shows in the timing. Error messages never quote a key.
 */
export class ApiKeyAuthenticator {
  private readonly entries: Array<{ digest: Buffer; principal: string }>;

  constructor(keys: Map<string, string>) {
    this.entries = [...keys].map(([key, principal]) => ({ digest: sha256(key), principal }));
  }

  get open(): boolean {
    return this.entries.length === 0;
  }

  get principalCount(): number {
    return new Set(this.entries.map((e) => e.principal)).size;
  }

  authenticate(authorization: string | undefined): AuthResult {
    if (this.open) return { ok: true, principal: ANONYMOUS_PRINCIPAL };
    const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(authorization ?? '');
    if (!match) return { ok: false, reason: 'missing' };
    const presented = sha256(match[1]);
    let principal: string | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, presented) && principal === undefined) principal = entry.principal;
    }
    return principal === undefined ? { ok: false, reason: 'invalid' } : { ok: true, principal };
  }
}

/** Parses API_KEYS (`key:principal,...`) and the API_KEYS_FILE JSON object into key → principal. */
export function loadApiKeys(apiKeys: string | undefined, apiKeysFile: string | undefined): Map<string, string> {
  const keys = new Map<string, string>();
  const add = (key: string, principal: string, where: string, index: number) => {
    if (key.length < MIN_KEY_LENGTH)
      throw new ConfigError(`${where}: entry ${index + 1} has a key shorter than ${MIN_KEY_LENGTH} characters.`);
    if (/\s/.test(key)) throw new ConfigError(`${where}: entry ${index + 1} has whitespace in its key.`);
    if (!PRINCIPAL_PATTERN.test(principal)) {
      throw new ConfigError(
        `${where}: entry ${index + 1} needs a principal name of letters, digits, . _ @ - (at most 64).`,
      );
    }
    if (keys.has(key)) throw new ConfigError(`${where}: entry ${index + 1} repeats a key.`);
    keys.set(key, principal);
  };

  (apiKeys ?? '')
    .split(',')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '')
    .forEach((pair, index) => {
      const colon = pair.lastIndexOf(':');
      if (colon <= 0) throw new ConfigError(`API_KEYS: entry ${index + 1} is not of the form key:principal.`);
      add(pair.slice(0, colon), pair.slice(colon + 1), 'API_KEYS', index);
    });

  if (apiKeysFile) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(apiKeysFile, 'utf8'));
    } catch (err) {
      // Not the parser's message: it may quote file content, i.e. a key.
      throw new ConfigError(
        `API_KEYS_FILE ${apiKeysFile} is not a readable JSON file (${(err as NodeJS.ErrnoException).code ?? 'invalid JSON'}).`,
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError(`API_KEYS_FILE ${apiKeysFile} must hold a JSON object of key → principal name.`);
    }
    Object.entries(parsed).forEach(([key, principal], index) => {
      add(key, typeof principal === 'string' ? principal : '', 'API_KEYS_FILE', index);
    });
  }
  return keys;
}
