import { Client, Connection } from '@temporalio/client';
import type { TemporalConnectionSettings } from './temporal-connection';

/** `connection` comes from temporalConnectionOf (address, TLS, API key), the same the worker connects with. */
export async function createTemporalClient(
  connection: TemporalConnectionSettings,
  namespace: string,
): Promise<{ client: Client; connection: Connection }> {
  const connected = await Connection.connect(connection);
  return { client: new Client({ connection: connected, namespace }), connection: connected };
}
