/**
 * `npm run webui-check -- <session_id> [--ui http://127.0.0.1:8233] [--out dir]`: opens the
 * Temporal Web UI in headless Chromium (Debian's `chromium` package), screenshots the session
 * list (filtered by the Chat* search attributes) and the session's workflow page, and checks
 * that the rendered pages show the session, its title and its activities.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { parseArgs } from 'node:util';
import { CHROMIUM_FLAGS, findChromium } from '../dev/chromium';
import { loadConfig } from '../src/config';
import { sessionWorkflowId } from '../src/contract/session-workflow';
import { createTemporalClient } from '../src/temporal/client';
import { temporalConnectionOf } from '../src/temporal/temporal-connection';

/** Opens `url`, waits until every text in `expect` is on the page (or times out), screenshots it. */
async function check(
  browser: Browser,
  url: string,
  expected: string[],
  screenshot: string,
): Promise<Array<[string, boolean]>> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
    const results: Array<[string, boolean]> = [];
    for (const text of expected) {
      const shown = await page
        .getByText(text, { exact: false })
        .first()
        .waitFor({ timeout: 20_000 })
        .then(() => true)
        .catch(() => false);
      results.push([text, shown]);
    }
    await page.screenshot({ path: screenshot, fullPage: true });
    return results;
  } finally {
    await page.close();
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { ui: { type: 'string' }, out: { type: 'string' } },
  });
  const sessionId = positionals[0];
  if (!sessionId) {
    process.stderr.write('Usage: npm run webui-check -- <session_id> [--ui http://127.0.0.1:8233] [--out dir]\n');
    process.exit(2);
  }
  const config = loadConfig();
  const ui = (values.ui ?? `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`).replace(/\/$/, '');
  const out = values.out ?? path.join(config.DATA_DIR, 'webui-check');
  fs.mkdirSync(out, { recursive: true });
  const workflowId = sessionWorkflowId(sessionId);
  const ns = encodeURIComponent(config.TEMPORAL_NAMESPACE);
  const { client, connection } = await createTemporalClient(temporalConnectionOf(config), config.TEMPORAL_NAMESPACE);
  const description = await client.workflow.getHandle(workflowId).describe();
  const title = await description.staticSummary();
  await connection.close();

  const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_FLAGS });
  try {
    const query = encodeURIComponent('WorkflowType = "chatSessionWorkflow" AND ChatTurns >= 1');
    const listShot = path.join(out, 'sessions.png');
    const pageShot = path.join(out, 'session.png');
    const checks = [
      ...(await check(browser, `${ui}/namespaces/${ns}/workflows?query=${query}`, [workflowId], listShot)).map(
        ([t, ok]): [string, boolean] => [`session list (ChatTurns >= 1) shows ${t}`, ok],
      ),
      ...(
        await check(
          browser,
          `${ui}/namespaces/${ns}/workflows/${encodeURIComponent(workflowId)}/${description.runId}/history`,
          [title ?? workflowId, 'callModel', 'archiveTurn'],
          pageShot,
        )
      ).map(([t, ok]): [string, boolean] => [`session page shows ${t}`, ok]),
    ];
    for (const [what, ok] of checks) process.stderr.write(`${ok ? 'ok  ' : 'FAIL'} ${what}\n`);
    process.stderr.write(`Screenshots: ${listShot}, ${pageShot}\n`);
    if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`[webui-check] ${err.message}\n`);
  process.exit(1);
});
