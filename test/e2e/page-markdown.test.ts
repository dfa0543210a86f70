import { useChatBrowser } from '../helpers/chat-browser';
import { useScriptedStack } from '../helpers/scripted-stack';

/** Model output is Markdown, never trusted HTML: what a hostile answer tries to inject is dropped. */
const HOSTILE_ANSWER = [
  'Here is **bold** and code:',
  '',
  '```js',
  'console.log("hi");',
  '```',
  '',
  '<img src="x" onerror="window.pwned = 1"><script>window.pwned = 2</script><a href="javascript:window.pwned=3">link</a>',
].join('\n');

describe('chat page: Markdown answers', () => {
  const scripted = useScriptedStack([{ content: HOSTILE_ANSWER }]);
  const chromium = useChatBrowser();

  it('when the answer holds Markdown and HTML then the Markdown renders, code gets a copy button and no HTML runs', async () => {
    const { page } = await chromium.open(scripted.stack.url('/'));
    await page.getByLabel('Message').fill('show me');
    await page.getByLabel('Message').press('Enter');
    const answer = page.locator('[data-turn-status="completed"] .markdown');
    await answer.waitFor();
    expect(await answer.locator('strong').textContent()).toBe('bold');
    expect(await answer.locator('pre code').textContent()).toContain('console.log("hi");');
    await answer.getByRole('button', { name: 'Copy code' }).waitFor();
    expect(await answer.locator('script, [onerror], a[href^="javascript:"]').count()).toBe(0);
    expect(await page.evaluate<unknown>('window.pwned')).toBeUndefined();
    await page.context().close();
  });
});
