import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { ConfigError, type Config } from '../config';
import { temporalAddressOf } from './temporal-address';

type TemporalConnectionConfig = Pick<
  Config,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_DEV_PORT'
  | 'TEMPORAL_NAMESPACE'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_CA'
  | 'TEMPORAL_TLS_CERT'
  | 'TEMPORAL_TLS_KEY'
  | 'TEMPORAL_TLS_SERVER_NAME'
  | 'TEMPORAL_API_KEY'
>;

/**
 * What both the API's `Connection` and the worker's `NativeConnection` take (a subset of each SDK
 * options type), so every process reaches the cluster the same way.
 */
export interface TemporalConnectionSettings {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
}

/** Where a process is connected, safe to show: never the key or any PEM. */
export interface TemporalConnectionSummary {
  address: string;
  namespace: string;
  /** none: plaintext; tls: server verified; mtls: and this process presents a client certificate. */
  tls: 'none' | 'tls' | 'mtls';
  api_key: 'set' | 'unset';
}

/** Inline PEM when it starts with `-----BEGIN` (escaped `\n` allowed, for one-line env files); else a file path. */
function pemOf(key: string, value: string): Buffer {
  if (value.startsWith('-----BEGIN')) return Buffer.from(value.replace(/\\n/g, '\n'));
  try {
    return readFileSync(value);
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  ${key}: cannot read ${value} (${(err as Error).message})`);
  }
}

/** TLS is on when asked for, or implied by any TLS setting or an API key (Temporal Cloud takes keys over TLS only). */
function tlsEnabled(config: TemporalConnectionConfig): boolean {
  return Boolean(
    config.TEMPORAL_TLS ||
    config.TEMPORAL_TLS_CA ||
    config.TEMPORAL_TLS_CERT ||
    config.TEMPORAL_TLS_KEY ||
    config.TEMPORAL_TLS_SERVER_NAME ||
    config.TEMPORAL_API_KEY,
  );
}

/** The one place TEMPORAL_TLS_* and TEMPORAL_API_KEY become connection options; reads the PEM files (throws ConfigError). */
export function temporalConnectionOf(
  config: TemporalConnectionConfig,
  address: string = temporalAddressOf(config),
): TemporalConnectionSettings {
  const settings: TemporalConnectionSettings = { address };
  if (tlsEnabled(config)) {
    const tls: TLSConfig = {};
    if (config.TEMPORAL_TLS_CA) tls.serverRootCACertificate = pemOf('TEMPORAL_TLS_CA', config.TEMPORAL_TLS_CA);
    if (config.TEMPORAL_TLS_CERT && config.TEMPORAL_TLS_KEY) {
      tls.clientCertPair = {
        crt: pemOf('TEMPORAL_TLS_CERT', config.TEMPORAL_TLS_CERT),
        key: pemOf('TEMPORAL_TLS_KEY', config.TEMPORAL_TLS_KEY),
      };
    }
    if (config.TEMPORAL_TLS_SERVER_NAME) tls.serverNameOverride = config.TEMPORAL_TLS_SERVER_NAME;
    settings.tls = tls;
  }
  if (config.TEMPORAL_API_KEY) settings.apiKey = config.TEMPORAL_API_KEY;
  return settings;
}

export function temporalConnectionSummary(
  config: TemporalConnectionConfig,
  address: string = temporalAddressOf(config),
): TemporalConnectionSummary {
  return {
    address,
    namespace: config.TEMPORAL_NAMESPACE,
    tls: !tlsEnabled(config) ? 'none' : config.TEMPORAL_TLS_CERT ? 'mtls' : 'tls',
    api_key: config.TEMPORAL_API_KEY ? 'set' : 'unset',
  };
}
