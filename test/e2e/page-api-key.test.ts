import { calculatorScript } from '../helpers/fake-openai-server';
import { seriousA11yViolations, useChatBrowser } from '../helpers/chat-browser';
import { useScriptedStack } from '../helpers/scripted-stack';

const KEY = 'page-test-key-0123456789abcdef';

/** With API_KEYS set, the page asks for a key once, keeps it in the tab and sends it as a header only. */
describe('chat page: API keys', () => {
  const scripted = useScriptedStack(calculatorScript, { API_KEYS: `${KEY}:alice` });
  const chromium = useChatBrowser();

  it('when keys are required then the page asks once and sends the key as a Bearer header, never in a URL', async () => {
    const { page } = await chromium.open(scripted.stack.url('/'));
    await page.getByRole('heading', { name: 'API key needed' }).waitFor();
    expect(await page.getByText('This server is open').count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByRole('textbox', { name: 'API key' }).fill(KEY);
    // Every request from the moment the key is given.
    const seen: Array<Promise<{ url: string; authorization?: string }>> = [];
    page.on('request', (r) =>
      seen.push(r.allHeaders().then((h) => ({ url: r.url(), authorization: h.authorization }))),
    );
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.getByLabel('Message').fill('Calculate 2 * 3');
    await page.getByLabel('Message').press('Enter');
    await page.locator('[data-turn-status="completed"]').waitFor();
    expect(await page.locator('.answer .markdown').last().textContent()).toContain('The answer is 6.');

    // Asked once: a reload in the same tab goes straight to the chat.
    await page.reload();
    await page.locator('[data-turn-status="completed"]').waitFor();
    expect(await page.getByRole('heading', { name: 'API key needed' }).count()).toBe(0);

    const requests = await Promise.all(seen);
    const apiCalls = requests.filter((r) => new URL(r.url).pathname.startsWith('/api/'));
    expect(apiCalls.length).toBeGreaterThan(0);
    expect(apiCalls.filter((call) => call.authorization !== `Bearer ${KEY}`)).toEqual([]);
    expect(requests.filter((r) => r.url.includes(KEY))).toEqual([]);
    await page.context().close();
  });
});
