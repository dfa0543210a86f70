import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

/** Where replay fixtures live; `npm test` replays every `*.json` here against the current workflow code. */
export const FIXTURES_DIR = path.resolve(__dirname, '../test/replay/fixtures');

/** A fixture's name becomes its file name: keep it to safe characters. */
const FIXTURE_NAME = /^[a-z0-9][a-z0-9-]{0,60}$/;

class FixtureNameError extends Error {
  override name = 'FixtureNameError';
}

/**
 * Fetches one run's full event history and writes it as Temporal's JSON history format (the
 * same the Web UI and `temporal workflow show --output json` export), so a fixture can also
 * come from a production server's export.
 */
export async function recordHistoryFixture(
  client: Client,
  options: { workflowId: string; runId?: string; name: string; dir?: string },
): Promise<string> {
  if (!FIXTURE_NAME.test(options.name))
    throw new FixtureNameError(`Fixture name "${options.name}" must match ${FIXTURE_NAME}`);
  const history = await client.workflow.getHandle(options.workflowId, options.runId).fetchHistory();
  const dir = options.dir ?? FIXTURES_DIR;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${options.name}.json`);
  fs.writeFileSync(file, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`);
  return file;
}
