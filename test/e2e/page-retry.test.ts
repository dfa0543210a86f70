import { gate, type FakeReply, type RecordedRequest } from '../helpers/fake-openai-server';
import { useChatBrowser } from '../helpers/chat-browser';
import { useScriptedStack } from '../helpers/scripted-stack';

/** The first model call shows part of its answer, then breaks off; the retry's text replaces the partial one. */
describe('chat page: a retried model call', () => {
  let shown = gate();
  const breaksOnce = (_request: RecordedRequest, index: number): FakeReply =>
    index === 0
      ? { content: 'Partial words that will vanish', hold: { afterChunks: 3, until: shown.until }, dropAfterChunks: 3 }
      : { content: 'The retried answer.' };
  const scripted = useScriptedStack(breaksOnce);
  const chromium = useChatBrowser();
  beforeEach(() => (shown = gate()));
  afterEach(() => shown.release());

  it('when a model call is retried mid-answer then its partial text is replaced and the retry is noted', async () => {
    const { page, errors } = await chromium.open(scripted.stack.url('/'));
    await page.getByLabel('Message').fill('hello');
    await page.getByLabel('Message').press('Enter');
    // The partial answer is on the page before the call breaks off.
    await page.locator('.answer .markdown').getByText('Partial', { exact: false }).waitFor();
    shown.release();
    const done = page.locator('[data-turn-status="completed"]');
    await done.waitFor();
    expect((await done.locator('.markdown').allTextContents()).map((t) => t.trim())).toEqual(['The retried answer.']);
    await done.getByText('The model call was retried (step 1); its partial answer was replaced.').waitFor();
    expect(scripted.model.requests.length).toBe(2);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
