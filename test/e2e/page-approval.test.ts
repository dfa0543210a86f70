import type { Page } from 'playwright-core';
import { approvalScript } from '../helpers/approval-flow';
import { screenshot, seriousA11yViolations, useChatBrowser } from '../helpers/chat-browser';
import { useScriptedStack } from '../helpers/scripted-stack';

/**
 * The calculator set to wait for approval (TOOL_APPROVAL): the page shows the waiting call as a card
 * with Approve / Deny / Edit arguments, and the decision goes to POST …/tool-calls/{call_id}/approval.
 * The scripted model asks for the calculator on `calc <expr>` and answers `Tool said: <result>`.
 */
describe('chat page: tool calls waiting for approval', () => {
  const scripted = useScriptedStack(approvalScript, { TOOL_APPROVAL: 'calculator:always' });
  const chromium = useChatBrowser();

  const card = (page: Page) => page.getByRole('region', { name: 'Approval for calculator' });
  const ask = async (page: Page, text: string) => {
    await page.getByLabel('Message').fill(text);
    await page.getByLabel('Message').press('Enter');
    await card(page).getByRole('button', { name: 'Approve' }).waitFor();
  };
  const completedAnswer = async (page: Page) => {
    const done = page.locator('[data-turn-status="completed"]');
    await done.waitFor();
    return (await done.locator('.markdown').last().textContent())?.trim();
  };

  it('when a call waits then its card shows the arguments, survives a reload, and Approve runs it', async () => {
    const { page, errors } = await chromium.open(scripted.stack.url('/'));
    await ask(page, 'calc 2+3');
    expect(await card(page).locator('pre').textContent()).toContain('"expression": "2+3"');
    expect(await page.locator('[data-turn-status="completed"]').count()).toBe(0);
    const toolCard = page.getByRole('region', { name: 'Tool calculator' });
    expect(await toolCard.locator('.badge').first().textContent()).toBe('waiting for approval');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'approval-1440');

    await page.reload();
    await card(page).getByRole('button', { name: 'Approve' }).click();
    expect(await completedAnswer(page)).toMatch(/^Tool said: .*"result":5/);
    await card(page).getByText('Decision: approved').waitFor();
    expect(await page.locator('.turn').count()).toBe(1);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('when a second tab opens the session while a call waits then it shows the card too', async () => {
    const first = await chromium.open(scripted.stack.url('/'));
    await ask(first.page, 'calc 9-4');
    const second = await chromium.open(first.page.url());
    await card(second.page).getByRole('button', { name: 'Approve' }).click();
    for (const { page } of [first, second]) {
      expect(await completedAnswer(page)).toMatch(/"result":5/);
      await card(page).getByText('Decision: approved').waitFor();
    }
    await first.page.context().close();
    await second.page.context().close();
  });

  it('when Deny is clicked then the card shows the denial and the answer says the user declined', async () => {
    const { page, errors } = await chromium.open(scripted.stack.url('/'));
    await ask(page, 'calc 7*6');
    await card(page).getByRole('button', { name: 'Deny' }).click();
    expect(await completedAnswer(page)).toMatch(/declined/);
    await card(page).getByText('Decision: denied').waitFor();
    expect(await page.getByText('"result":42').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('when the arguments are edited before approving then the tool runs with the edited ones', async () => {
    const { page, errors } = await chromium.open(scripted.stack.url('/'));
    await ask(page, 'calc 1+1');
    await card(page).getByRole('button', { name: 'Edit arguments' }).click();
    await card(page).getByLabel('Arguments (JSON)').fill('{"expression": "4*5"}');
    await card(page).getByRole('button', { name: 'Approve with these arguments' }).click();
    expect(await completedAnswer(page)).toMatch(/"result":20/);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('when the edited arguments are not JSON then the card says so and the call still waits', async () => {
    const { page } = await chromium.open(scripted.stack.url('/'));
    await ask(page, 'calc 3+3');
    await card(page).getByRole('button', { name: 'Edit arguments' }).click();
    await card(page).getByLabel('Arguments (JSON)').fill('{not json');
    await card(page).getByRole('button', { name: 'Approve with these arguments' }).click();
    await card(page).getByRole('alert').getByText('not valid JSON', { exact: false }).waitFor();
    await card(page).getByRole('button', { name: 'Deny' }).click();
    expect(await completedAnswer(page)).toMatch(/declined/);
    await page.context().close();
  });
});
