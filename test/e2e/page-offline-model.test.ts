import { useChatBrowser } from '../helpers/chat-browser';
import { useScriptedStack } from '../helpers/scripted-stack';

/** No model configured: the built-in offline model answers, and the page says so. */
describe('chat page: the offline model', () => {
  // No provider settings: the stack falls back to the built-in rule-based model (the scripted one is unused).
  const scripted = useScriptedStack([], { LLM_BASE_URL: '', LLM_API_KEY: '', LLM_MODEL: '' });
  const chromium = useChatBrowser();

  it('when the offline model answers then a banner says answers are rule-based and how to set a real model', async () => {
    const { page } = await chromium.open(scripted.stack.url('/'));
    const banner = page.getByText('Offline model: answers are rule-based');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('Set OPENROUTER_API_KEY or LLM_BASE_URL');
    await page.getByLabel('Message').fill('Calculate 6 * 7');
    await page.getByLabel('Message').press('Enter');
    const done = page.locator('[data-turn-status="completed"]');
    await done.waitFor();
    expect(await done.locator('.markdown').last().textContent()).toContain('42');
    await page.context().close();
  });
});
