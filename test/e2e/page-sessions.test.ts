import { calculatorScript } from '../helpers/fake-openai-server';
import { postJson, type SessionCreated } from '../helpers/http';
import { useChatBrowser } from '../helpers/chat-browser';
import { useScriptedStack } from '../helpers/scripted-stack';

/** The sessions sidebar: the caller's sessions, newest first, paged on scroll; ending one asks first. */
describe('chat page: sessions sidebar', () => {
  const scripted = useScriptedStack(calculatorScript);
  const chromium = useChatBrowser();

  it('when there are more sessions than a page then scrolling the list loads the rest, newest first', async () => {
    const created: string[] = [];
    for (let i = 0; i < 23; i++)
      created.push((await postJson<SessionCreated>(scripted.stack.url('/api/chat/session'), {})).body.session_id);
    const { page } = await chromium.open(scripted.stack.url('/'));
    const items = page.getByRole('navigation', { name: 'Chats' }).locator('li a');
    await items.nth(19).waitFor();
    expect(await items.count()).toBe(20);
    await items.last().scrollIntoViewIfNeeded();
    await items.nth(22).waitFor();
    const hrefs = await Promise.all((await items.all()).map((link) => link.getAttribute('href')));
    // Every session once, in the API's order (newest first; its own tests check the order).
    expect([...hrefs].sort()).toEqual(created.map((id) => `/chat/${id}`).sort());
    expect(hrefs[0]).toBe(`/chat/${created[created.length - 1]}`);
    await page.context().close();
  });

  it('when End is confirmed then the session ends and the page leaves it', async () => {
    const { page } = await chromium.open(scripted.stack.url('/'));
    await page.getByLabel('Message').fill('Calculate 1 + 1');
    await page.getByLabel('Message').press('Enter');
    await page.locator('[data-turn-status="completed"]').waitFor();
    const sessionId = new URL(page.url()).pathname.split('/').pop() as string;
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await page.getByRole('button', { name: 'End chat Calculate 1 + 1' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    expect(asked).toContain('End the chat "Calculate 1 + 1"?');
    const session = await fetch(scripted.stack.url(`/api/chat/session/${sessionId}`));
    expect(((await session.json()) as { status: string }).status).toBe('ended');
    await page.context().close();
  });
});
