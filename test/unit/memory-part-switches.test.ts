import { loadConfig } from '../../src/config';
import { sessionSettings } from '../../src/process/session-settings';

/** Issue 15: a config key turns each memory part off; each is carried into the session settings the workflow gets. */
describe('config keys that turn memory parts off', () => {
  it('when nothing is set then summaries and history by reference are on, in the session settings too', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ CONVERSATION_SUMMARIES_ENABLED: true, HISTORY_BY_REFERENCE: true });
    expect(sessionSettings(config)).toMatchObject({ conversation_summaries: true, history_by_reference: true });
  });

  it('when both are set to "false" then both are off, in the session settings too', () => {
    const config = loadConfig({ CONVERSATION_SUMMARIES_ENABLED: 'false', HISTORY_BY_REFERENCE: 'false' });
    expect(config).toMatchObject({ CONVERSATION_SUMMARIES_ENABLED: false, HISTORY_BY_REFERENCE: false });
    expect(sessionSettings(config)).toMatchObject({ conversation_summaries: false, history_by_reference: false });
  });

  it('when both are set to "true" then both are on', () => {
    const config = loadConfig({ CONVERSATION_SUMMARIES_ENABLED: 'true', HISTORY_BY_REFERENCE: 'true' });
    expect(config).toMatchObject({ CONVERSATION_SUMMARIES_ENABLED: true, HISTORY_BY_REFERENCE: true });
  });

  it('when a value is not a boolean word then loading fails naming the key', () => {
    expect(() => loadConfig({ CONVERSATION_SUMMARIES_ENABLED: 'off' })).toThrow(/CONVERSATION_SUMMARIES_ENABLED/);
    expect(() => loadConfig({ HISTORY_BY_REFERENCE: 'nope' })).toThrow(/HISTORY_BY_REFERENCE/);
  });
});
