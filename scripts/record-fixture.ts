/**
 * `npm run record-fixture -- --session <session_id> --name <fixture-name> [--run-id <run>]`
 * (or `--workflow-id <id>`): saves a session workflow's history from the running server
 * (TEMPORAL_ADDRESS, default the embedded dev server) into test/replay/fixtures/.
 */
import { parseArgs } from 'node:util';
import { recordHistoryFixture } from '../dev/history-fixture';
import { loadConfig } from '../src/config';
import { sessionWorkflowId } from '../src/contract/session-workflow';
import { createTemporalClient } from '../src/temporal/client';
import { temporalAddressOf } from '../src/temporal/temporal-address';
import { temporalConnectionOf } from '../src/temporal/temporal-connection';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      session: { type: 'string' },
      'workflow-id': { type: 'string' },
      'run-id': { type: 'string' },
      name: { type: 'string' },
    },
  });
  const workflowId = values['workflow-id'] ?? (values.session ? sessionWorkflowId(values.session) : undefined);
  if (!workflowId || !values.name) {
    process.stderr.write(
      'Usage: npm run record-fixture -- --session <session_id> | --workflow-id <id> --name <fixture-name> [--run-id <run_id>]\n',
    );
    process.exit(2);
  }
  const config = loadConfig();
  const address = temporalAddressOf(config);
  const { client, connection } = await createTemporalClient(
    temporalConnectionOf(config, address),
    config.TEMPORAL_NAMESPACE,
  );
  try {
    const file = await recordHistoryFixture(client, { workflowId, runId: values['run-id'], name: values.name });
    process.stderr.write(
      `Recorded ${workflowId}${values['run-id'] ? ` run ${values['run-id']}` : ''} from ${address} → ${file}\n`,
    );
  } finally {
    await connection.close();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`[record-fixture] ${err.message}\n`);
  process.exit(1);
});
