import { freePort } from '../../dev/free-port';
import { startApi, type RunningApi } from '../../src/api-process';
import { LONG_ANSWER, slowOrEcho } from '../helpers/slow-or-echo-script';
import { screenshot, seriousA11yViolations, useChatBrowser } from '../helpers/chat-browser';
import { useScriptedStack } from '../helpers/scripted-stack';
import { testLogger } from '../helpers/test-log';
import { createProxy } from '../helpers/toxiproxy-client';

const NETWORK_DROP_MS = 10_000;

/** The API process, or the network to it, goes away in the middle of an answer and comes back. */
describe('chat page: the connection is lost mid-answer', () => {
  const scripted = useScriptedStack(slowOrEcho);
  const chromium = useChatBrowser();
  const apis: RunningApi[] = [];
  afterEach(async () => {
    for (const api of apis.splice(0)) await api.stop();
  });

  /** An API on `port` over the stack's worker, Redis and archive (a restarted API process). */
  async function apiOn(port: number, name: string): Promise<RunningApi> {
    const { stack } = scripted;
    const config = { ...stack.config, PORT: port };
    const api = await startApi(config, stack.infra, testLogger({ api: name }), stack.config.TEMPORAL_ADDRESS as string);
    apis.push(api);
    return api;
  }

  it('when the API stops mid-stream then the page says it is reconnecting, and completes the answer once it is back', async () => {
    const port = await freePort();
    const first = await apiOn(port, 'first');
    const { page, errors } = await chromium.open(`${first.url}/`);
    await page.getByLabel('Message').fill('slow through a restart');
    await page.getByLabel('Message').press('Enter');
    await page.locator('.answer .markdown').getByText('three', { exact: false }).waitFor();

    await first.stop();
    apis.splice(apis.indexOf(first), 1);
    const notice = page.getByRole('status').filter({ hasText: 'Reconnecting' });
    await notice.waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'reconnecting-1440');

    await apiOn(port, 'second');
    const done = page.locator('[data-turn-status="completed"]');
    await done.waitFor({ timeout: 30_000 });
    expect((await done.locator('.markdown').textContent())?.trim()).toBe(LONG_ANSWER);
    await notice.waitFor({ state: 'detached' });
    // Only the failed fetches while the API was down may be logged, nothing else.
    expect(errors.filter((e) => !/ERR_CONNECTION_REFUSED|Failed to load resource|Failed to fetch/.test(e))).toEqual([]);
    await page.context().close();
  });

  // The drop lasts 10 s of wall time (issue 14, point 5): long enough for the server to finish the
  // answer meanwhile, so the page must fetch the rest after its last event id. Not a timing assertion.
  it('when the network to the API drops for 10 s mid-stream then the page says it is reconnecting, and then shows the rest of the answer once, nothing lost or doubled', async () => {
    const proxy = await createProxy(`page-${Date.now()}`, new URL(scripted.stack.api.url).host);
    try {
      const { page } = await chromium.open(`http://${proxy.listen}/`);
      await page.getByLabel('Message').fill('slow through a network drop');
      await page.getByLabel('Message').press('Enter');
      await page.locator('.answer .markdown').getByText('three', { exact: false }).waitFor();

      await proxy.setEnabled(false);
      const notice = page.getByRole('status').filter({ hasText: 'Reconnecting' });
      await notice.waitFor();
      await screenshot(page, 'reconnecting-network-1440');
      await new Promise((resolve) => setTimeout(resolve, NETWORK_DROP_MS));
      await notice.waitFor(); // still saying so at the end of the drop
      await proxy.setEnabled(true);

      const done = page.locator('[data-turn-status="completed"]');
      await done.waitFor({ timeout: 30_000 });
      expect((await done.locator('.markdown').textContent())?.trim()).toBe(LONG_ANSWER);
      expect(await page.locator('.answer .markdown').count()).toBe(1);
      await notice.waitFor({ state: 'detached' });
      // After a reload the archived answer reads the same: what was shown is what was kept.
      await page.reload();
      await page.locator('[data-turn-status="completed"]').waitFor();
      expect((await page.locator('.answer .markdown').allTextContents()).map((t) => t.trim())).toEqual([LONG_ANSWER]);
      await page.context().close();
    } finally {
      await proxy.delete();
    }
  }, 90_000);
});
