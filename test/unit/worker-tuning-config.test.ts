import { ConfigError, loadConfig } from '../../src/config';

describe('WORKER_TUNING', () => {
  test('when unset, then the worker keeps the SDK defaults', () => {
    expect(loadConfig({}).WORKER_TUNING).toBeUndefined();
  });

  test('when set to a JSON object of known options, then the worker gets them', () => {
    const config = loadConfig({ WORKER_TUNING: '{"workflowThreadPoolSize":2,"reuseV8Context":true}' });
    expect(config.WORKER_TUNING).toEqual({ workflowThreadPoolSize: 2, reuseV8Context: true });
  });

  test('when it is not JSON, then the config is refused naming the key', () => {
    expect(() => loadConfig({ WORKER_TUNING: 'threads=2' })).toThrow(/WORKER_TUNING/);
  });

  test('when it names an option the worker does not take, then the config is refused', () => {
    expect(() => loadConfig({ WORKER_TUNING: '{"maxCachedWorkflows":10}' })).toThrow(ConfigError);
  });
});
