import { Client, Connection } from '@temporalio/client';
import { temporalConnectError } from './temporal-connect-error';
import type { TemporalConnectionSettings } from './temporal-connection';

/** `connection` comes from temporalConnectionOf (address, TLS, API key), the same the worker connects with. */
export async function createTemporalClient(
  connection: TemporalConnectionSettings,
  namespace: string,
): Promise<{ client: Client; connection: Connection }> {
  const connected = await Connection.connect(connection).catch(async (err: unknown) => {
    throw await temporalConnectError(connection, err);
  });
  return { client: new Client({ connection: connected, namespace }), connection: connected };
}
