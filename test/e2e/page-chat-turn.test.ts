import { calculatorScript } from '../helpers/fake-openai-server';
import { screenshot, seriousA11yViolations, useChatBrowser } from '../helpers/chat-browser';
import { useScriptedStack } from '../helpers/scripted-stack';

/** The chat page in real Chromium against the real stack; only the model is scripted. */
describe('chat page: a turn', () => {
  const scripted = useScriptedStack(calculatorScript, { TEMPORAL_UI_PORT: '18233' });
  const chromium = useChatBrowser();

  it('when the page is fetched then it is served same-origin under a strict CSP with no inline script', async () => {
    const res = await fetch(scripted.stack.url('/'));
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect((await fetch(scripted.stack.url(`/chat/${crypto.randomUUID()}`))).status).toBe(200);
    // Only the built files: nothing outside web/dist/assets is reachable through the asset path.
    for (const escape of ['/assets/..%2f..%2fpackage.json', '/assets/%2e%2e/index.html', '/assets/.source-hash'])
      expect((await fetch(scripted.stack.url(escape))).status).toBe(404);
  });

  it('when the empty page opens then it shows the open-mode banner, the links and no serious a11y violation', async () => {
    const { page, errors } = await chromium.open(scripted.stack.url('/'));
    await page.getByText('This server is open').waitFor();
    // Reported, not asserted (no timing assertions): the first contentful paint of the page, in ms.
    const paint = await page.evaluate<number>(
      "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1",
    );
    console.log(`chat page first contentful paint: ${Math.round(paint)} ms`);
    expect(await page.getByRole('link', { name: 'API docs' }).getAttribute('href')).toBe('/docs');
    expect(await page.getByRole('link', { name: 'Temporal Web UI' }).getAttribute('href')).toBe(
      'http://127.0.0.1:18233',
    );
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'empty-1440');
    await page.setViewportSize({ width: 375, height: 800 });
    await screenshot(page, 'empty-375');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('when a calculation is asked then the tool card and the answer 200 show, with model, tokens and cost', async () => {
    const { page, errors } = await chromium.open(scripted.stack.url('/'));
    await page.getByLabel('Message').fill('Calculate 10 * 20');
    await page.getByLabel('Message').press('Enter');
    const card = page.getByRole('region', { name: 'Tool calculator' });
    await card.waitFor();
    await page.locator('[data-turn-status="completed"]').waitFor();
    expect(await card.locator('.tool-result').textContent()).toContain('200');
    expect(await page.locator('.answer .markdown').last().textContent()).toContain('The answer is 200.');
    const meta = (await page.locator('.turn-meta').textContent()) ?? '';
    expect(meta).toMatch(/Model: fake-model/);
    expect(meta).toMatch(/Tokens: [1-9]/);
    expect(meta).toMatch(/Cost: \$/);
    // The session is in the URL and in the sidebar.
    expect(page.url()).toMatch(/\/chat\/[0-9a-f-]{36}$/);
    await page.getByRole('navigation', { name: 'Chats' }).getByText('Calculate 10 * 20').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'tool-card-1440');
    await page.setViewportSize({ width: 375, height: 800 });
    await screenshot(page, 'tool-card-375');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('when the system prefers dark then the page is dark and still has no serious a11y violation', async () => {
    const { page } = await chromium.open(scripted.stack.url('/'), { colorScheme: 'dark' });
    await page.getByText('This server is open').waitFor();
    expect(await page.evaluate<string>('getComputedStyle(document.body).backgroundColor')).toBe('rgb(15, 17, 21)');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'empty-dark-1440');
    await page.context().close();
  });

  it('when a session link is opened then its history is loaded from the API', async () => {
    const first = await chromium.open(scripted.stack.url('/'));
    await first.page.getByLabel('Message').fill('Calculate 3 * 4');
    await first.page.getByLabel('Message').press('Enter');
    await first.page.locator('[data-turn-status="completed"]').waitFor();
    const link = first.page.url();
    await first.page.context().close();

    const second = await chromium.open(link);
    const archived = second.page.locator('[data-turn-status="completed"]');
    await archived.waitFor();
    expect(await archived.locator('.user-message').textContent()).toContain('Calculate 3 * 4');
    expect(await archived.locator('.markdown').last().textContent()).toContain('The answer is 12.');
    await second.page.context().close();
  });

  it('when a model is picked from the configured chain then the message names it', async () => {
    const { page } = await chromium.open(scripted.stack.url('/'));
    const picker = page.getByLabel('Model', { exact: true });
    await picker.getByRole('option', { name: 'fake-model' }).waitFor({ state: 'attached' });
    await picker.selectOption('fake-model');
    await page.getByLabel('Use tools').uncheck();
    const sent = page.waitForRequest((r) => r.url().endsWith('/api/chat/message/stream'));
    await page.getByLabel('Message').fill('hello model');
    await page.getByLabel('Message').press('Enter');
    expect((await sent).postDataJSON()).toMatchObject({
      message: 'hello model',
      model: 'fake-model',
      use_tools: false,
    });
    await page.locator('[data-turn-status="completed"]').waitFor();
    await page.context().close();
  });
});
