import { createHash } from 'node:crypto';
import type { Principal } from '../security/principal-of';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Hashes the principal and the key: the Redis scope of one Idempotency-Key. */
export function idempotencyScope(principal: Principal, key: string): string {
  return sha256(`${principal}\u0000${key}`);
}

/**
 * The id a request with this key gets, the same on every retry (and after the stored key is lost):
 * a UUID (version 8, name-based) from principal, key and what it names.
 */
export function idempotentId(kind: 'session' | 'turn', principal: Principal, key: string): string {
  const hex = sha256(`${kind}\u0000${principal}\u0000${key}`);
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** What a key was first used for: the operation and its validated body. */
export function requestFingerprint(operation: 'session' | 'message', body: unknown): string {
  return sha256(JSON.stringify({ operation, body }));
}
