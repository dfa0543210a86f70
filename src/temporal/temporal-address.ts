import type { Config } from '../config';

/** `TEMPORAL_ADDRESS`, else where the embedded dev server listens. */
export function temporalAddressOf(config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_DEV_PORT'>): string {
  return config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_DEV_PORT}`;
}
