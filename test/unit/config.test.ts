import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, describeConfig, loadConfig } from '../../src/config';
import { OFFLINE_MODEL_NAME } from '../../src/llm/model-list';
import { envExample, readmeTable } from '../../src/config-docs';
import { matching } from '../helpers/matchers';

describe('config', () => {
  it('when nothing is set then it uses the offline model and data/chat.db', () => {
    const config = loadConfig({});
    expect(config.llm).toMatchObject({ mode: 'offline', model: OFFLINE_MODEL_NAME });
    expect(config.sqliteFilename).toBe(path.join('data', 'chat.db'));
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('when OPENROUTER_API_KEY is set then OpenRouter and the seed model are used', () => {
    const config = loadConfig({ OPENROUTER_API_KEY: 'sk-or-x' });
    expect(config.llm).toMatchObject({
      mode: 'provider',
      baseUrl: 'https://openrouter.ai/api/v1',
      model: 'deepseek/deepseek-chat-v3-0324:free',
    });
  });

  it('when LLM_BASE_URL is set then it wins over OpenRouter', () => {
    const config = loadConfig({
      LLM_BASE_URL: 'http://localhost:11434/v1',
      OPENROUTER_API_KEY: 'x',
      LLM_MODEL: 'llama3',
    });
    expect(config.llm).toMatchObject({ mode: 'provider', baseUrl: 'http://localhost:11434/v1', model: 'llama3' });
  });

  it('when a value is invalid then it fails with a message naming the key', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ SESSION_IDLE_TIMEOUT: 'forever' })).toThrow(/SESSION_IDLE_TIMEOUT/);
  });

  it('when .env.example and the README are read then they match the schema (npm run config-docs)', () => {
    const root = path.resolve(__dirname, '../..');
    for (const { key, description } of describeConfig())
      expect({ key, description }).toEqual({ key, description: matching(/\S/) });
    expect(fs.readFileSync(path.join(root, '.env.example'), 'utf8')).toBe(envExample());
    expect(fs.readFileSync(path.join(root, 'README.md'), 'utf8')).toContain(readmeTable());
  });
});
