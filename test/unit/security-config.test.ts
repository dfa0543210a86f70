import { loadConfig } from '../../src/config';

describe('security config', () => {
  it('when nothing is set then the API has no CORS origins, a 1 MB body limit and both rate limits on', () => {
    const config = loadConfig({});
    expect(config.CORS_ORIGINS).toEqual([]);
    expect(config.BODY_LIMIT_BYTES).toBe(1_048_576);
    expect(config.RATE_LIMIT_REQUESTS).toBeGreaterThan(config.RATE_LIMIT_MESSAGES);
    expect(config.RATE_LIMIT_MESSAGES).toBeGreaterThan(0);
    expect(config.TRUST_PROXY).toBe(false);
  });

  it('when CORS_ORIGINS lists origins then they are split and trimmed', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example.com, http://localhost:5173 ,' }).CORS_ORIGINS).toEqual([
      'https://a.example.com',
      'http://localhost:5173',
    ]);
  });

  it.each(['*', 'https://a.example.com/path', 'a.example.com', 'javascript:alert(1)'])(
    'when CORS_ORIGINS is %s then the config is refused',
    (value) => {
      expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(/CORS_ORIGINS/);
    },
  );
});
