import type { FakeReply, RecordedRequest } from '../helpers/fake-openai-server';
import { screenshot, seriousA11yViolations, useChatBrowser } from '../helpers/chat-browser';
import { useScriptedStack } from '../helpers/scripted-stack';

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
});
