import { LONG_ANSWER, slowOrEcho } from '../helpers/slow-or-echo-script';
import { screenshot, seriousA11yViolations, useChatBrowser } from '../helpers/chat-browser';
import { useScriptedStack } from '../helpers/scripted-stack';

/** A slowly streaming answer (LONG_ANSWER, word by word): stopping it, and reloading the page in the middle. */
describe('chat page: a turn in the middle', () => {
  const scripted = useScriptedStack(slowOrEcho);
  const chromium = useChatBrowser();

  it('when Stop is pressed mid-stream then the partial answer stays, marked stopped', async () => {
    const { page, errors } = await chromium.open(scripted.stack.url('/'));
    await page.getByLabel('Message').fill('slow please');
    await page.getByLabel('Message').press('Enter');
    await page.locator('.answer .markdown').getByText('three', { exact: false }).waitFor();
    await screenshot(page, 'streaming-1440');
    await page.getByRole('button', { name: 'Stop' }).click();
    const stopped = page.locator('[data-turn-status="cancelled"]');
    await stopped.waitFor();
    expect(await stopped.locator('.status').textContent()).toBe('Stopped');
    const partial = (await stopped.locator('.markdown').textContent()) ?? '';
    expect(partial.startsWith('one two three')).toBe(true);
    expect(LONG_ANSWER.startsWith(partial.trim())).toBe(true);
    expect(partial.trim()).not.toBe(LONG_ANSWER);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'stopped-1440');
    await page.setViewportSize({ width: 375, height: 800 });
    await screenshot(page, 'stopped-375');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('when the page is reloaded mid-stream then the answer completes with no text lost or doubled', async () => {
    const { page, errors } = await chromium.open(scripted.stack.url('/'));
    await page.getByLabel('Message').fill('slow again');
    await page.getByLabel('Message').press('Enter');
    await page.locator('.answer .markdown').getByText('five', { exact: false }).waitFor();
    await page.reload();
    const done = page.locator('[data-turn-status="completed"]');
    await done.waitFor();
    expect((await done.locator('.markdown').textContent())?.trim()).toBe(LONG_ANSWER);
    expect(await page.locator('.turn').count()).toBe(1);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('when a second tab opens the session mid-stream then both show the whole answer', async () => {
    const first = await chromium.open(scripted.stack.url('/'));
    await first.page.getByLabel('Message').fill('slow for two tabs');
    await first.page.getByLabel('Message').press('Enter');
    await first.page.locator('.answer .markdown').getByText('three', { exact: false }).waitFor();
    const second = await chromium.open(first.page.url());
    for (const { page } of [first, second]) {
      const done = page.locator('[data-turn-status="completed"]');
      await done.waitFor();
      expect((await done.locator('.markdown').textContent())?.trim()).toBe(LONG_ANSWER);
    }
    await first.page.context().close();
    await second.page.context().close();
  });

  it('when a message is sent during a turn then it shows as queued, then gets its own answer', async () => {
    const { page } = await chromium.open(scripted.stack.url('/'));
    await page.getByLabel('Message').fill('slow first');
    await page.getByLabel('Message').press('Enter');
    await page.locator('.answer .markdown').getByText('two', { exact: false }).waitFor();
    await page.getByLabel('Message').fill('queued second');
    await page.getByRole('button', { name: 'Queue' }).click();
    const second = page.locator('.turn').nth(1);
    await second.getByText('Queued: waits for the answer before it').waitFor();
    await second.and(page.locator('[data-turn-status="completed"]')).waitFor();
    expect((await second.locator('.markdown').textContent())?.trim()).toBe('Echo: queued second');
    expect(await page.locator('.turn').first().getAttribute('data-turn-status')).toBe('completed');
    await page.context().close();
  });
});
