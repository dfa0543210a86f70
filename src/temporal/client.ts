import { Client, Connection } from '@temporalio/client';
import { temporalConnectError } from './temporal-connect-error';
import type { TemporalConnectionSettings } from './temporal-connection';

/**
 * `connection` comes from temporalConnectionOf (address, TLS, API key), the same the worker connects
 * with. A refused connection is closed (the SDK's `connect` would leave its channel retrying) and
 * reported with the address, TLS mode and reason.
 */
export async function createTemporalClient(
  connection: TemporalConnectionSettings,
  namespace: string,
): Promise<{ client: Client; connection: Connection }> {
  const connected = Connection.lazy(connection);
  try {
    await connected.ensureConnected();
  } catch (err) {
    await connected.close();
    throw await temporalConnectError(connection, err);
  }
  return { client: new Client({ connection: connected, namespace }), connection: connected };
}
