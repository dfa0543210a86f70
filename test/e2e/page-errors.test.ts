import type { FakeReply, RecordedRequest } from '../helpers/fake-openai-server';
import { screenshot, seriousA11yViolations, useChatBrowser } from '../helpers/chat-browser';
import { useFaultStack } from '../helpers/fault-stack';
import { getJson } from '../helpers/http';
import { useScriptedStack } from '../helpers/scripted-stack';
import { waitUntil } from '../helpers/wait-for';

const echo = (request: RecordedRequest): FakeReply => ({
  content: `Echo: ${request.body.messages[request.body.messages.length - 1].content}`,
});

/** Refusals read as plain sentences that say what to do. */
describe('chat page: refusals', () => {
  const chromium = useChatBrowser();

  describe('with a one-token session budget', () => {
    const scripted = useScriptedStack(echo, { SESSION_MAX_TOKENS: '1' });

    it('when the budget is spent then the next message shows the budget sentence', async () => {
      const { page } = await chromium.open(scripted.stack.url('/'));
      await page.getByLabel('Message').fill('hello');
      await page.getByLabel('Message').press('Enter');
      await page.locator('[data-turn-status="completed"]').waitFor();
      await page.getByLabel('Message').fill('hello again');
      await page.getByLabel('Message').press('Enter');
      const refused = page.locator('.turn').nth(1).getByRole('alert');
      await refused.waitFor();
      expect(await refused.textContent()).toBe(
        'This chat has used up its budget, so no model was called. Start a new chat to continue.',
      );
      expect(await seriousA11yViolations(page)).toEqual([]);
      await screenshot(page, 'budget-1440');
      await page.context().close();
    });
  });

  describe('with one message per rate-limit window', () => {
    const scripted = useScriptedStack(echo, { RATE_LIMIT_MESSAGES: '1' });

    it('when a second message is sent then the page says to wait, with the Retry-After seconds', async () => {
      const { page } = await chromium.open(scripted.stack.url('/'));
      await page.getByLabel('Message').fill('first');
      await page.getByLabel('Message').press('Enter');
      await page.locator('[data-turn-status="completed"]').waitFor();
      await page.getByLabel('Message').fill('second');
      await page.getByLabel('Message').press('Enter');
      const refused = page.locator('.turn').nth(1).getByRole('alert');
      await refused.waitFor();
      expect(await refused.textContent()).toMatch(/^You are sending messages too fast\. Try again in \d+ seconds?\.$/);
      expect(await seriousA11yViolations(page)).toEqual([]);
      await page.context().close();
    });
  });

  describe('with a model that refuses every call', () => {
    const scripted = useScriptedStack(() => ({ status: 401, error: 'invalid api key' }));

    it('when the model fails then the page says so and what to do', async () => {
      const { page } = await chromium.open(scripted.stack.url('/'));
      await page.getByLabel('Message').fill('hello');
      await page.getByLabel('Message').press('Enter');
      const failed = page.locator('[data-turn-status="failed"]');
      await failed.waitFor();
      expect(await failed.getByRole('alert').textContent()).toBe(
        'The model failed to answer. Send your message again, or pick another model.',
      );
      await page.context().close();
    });
  });

  describe("with the API's Redis behind a proxy that can be cut", () => {
    const faults = useFaultStack(echo);

    it('when Redis is unreachable then a message shows the unavailable sentence with the Retry-After seconds, and once it is back a message goes through', async () => {
      const { page } = await chromium.open(faults.stack.url('/'));
      await page.getByLabel('Message').fill('before the outage');
      await page.getByLabel('Message').press('Enter');
      await page.locator('[data-turn-status="completed"]').waitFor();

      await faults.redisProxy.setEnabled(false);
      await page.getByLabel('Message').fill('during the outage');
      await page.getByLabel('Message').press('Enter');
      const refused = page.locator('.turn').nth(1).getByRole('alert');
      await refused.waitFor({ timeout: 30_000 });
      expect(await refused.textContent()).toMatch(
        /^A service the chat needs is unavailable right now\. Try again in \d+ seconds?\.$/,
      );
      expect(await seriousA11yViolations(page)).toEqual([]);
      await screenshot(page, '503-1440');
      await page.setViewportSize({ width: 375, height: 900 });
      await screenshot(page, '503-375');
      await page.setViewportSize({ width: 1440, height: 900 });

      await faults.redisProxy.setEnabled(true);
      // The API reconnects to Redis by itself; the person tries again once it has.
      await waitUntil(
        () => getJson(faults.stack.url('/health')),
        (health) => health.status === 200,
        { what: 'the API to report Redis healthy again' },
      );
      await page.getByLabel('Message').fill('after the outage');
      await page.getByLabel('Message').press('Enter');
      const after = page.locator('.turn').nth(2);
      await after.and(page.locator('[data-turn-status="completed"]')).waitFor();
      expect((await after.locator('.markdown').textContent())?.trim()).toBe('Echo: after the outage');
      await page.context().close();
    });
  });
});
