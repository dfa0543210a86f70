import { calculatorScript } from '../helpers/fake-openai-server';
import { screenshot, useChatBrowser } from '../helpers/chat-browser';
import { useScriptedStack } from '../helpers/scripted-stack';

/** /docs is Swagger UI from its npm package, running under the page's CSP in real Chromium. */
describe('API docs page', () => {
  const scripted = useScriptedStack(calculatorScript);
  const chromium = useChatBrowser();

  it('when /docs opens then Swagger UI lists the operations with the Authorize dialog and nothing is refused', async () => {
    const { page, errors } = await chromium.open(scripted.stack.url('/docs'));
    await page.getByText('Send a message and stream the answer (SSE)').waitFor();
    await page
      .getByRole('button', { name: /Authorize/ })
      .first()
      .waitFor();
    await page.getByRole('link', { name: 'Back to the chat page' }).waitFor();
    await screenshot(page, 'docs-1440');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('when the chat page opens then it links to /docs', async () => {
    const { page } = await chromium.open(scripted.stack.url('/'));
    await page.getByRole('link', { name: 'API docs' }).click();
    await page.getByText('Send a message and stream the answer (SSE)').waitFor();
    expect(new URL(page.url()).pathname).toBe('/docs');
    await page.context().close();
  });
});
