import type Redis from 'ioredis';
import type { Config } from '../../config';
import type { Logger } from '../../logger';
import { RedisKeys } from '../../store/redis';
import { ApiKeyAuthenticator, loadApiKeys } from './api-key-authenticator';

/** The API's security settings, resolved once at start from the config. */
export interface ApiSecurity {
  authenticator: ApiKeyAuthenticator;
  corsOrigins: readonly string[];
  bodyLimitBytes: number;
  trustProxy: boolean;
  rateLimit: { redis: Redis; keys: RedisKeys; windowSeconds: number; requests: number; messages: number };
}

export const OPEN_API_WARNING =
  'NO API KEYS CONFIGURED: the API is open to anyone who can reach it. Set API_KEYS or API_KEYS_FILE.';

/** Loads the API keys (throws ConfigError on a bad entry) and warns loudly when the API runs open. */
export function createApiSecurity(config: Config, redis: Redis, logger: Logger): ApiSecurity {
  const authenticator = new ApiKeyAuthenticator(loadApiKeys(config.API_KEYS, config.API_KEYS_FILE));
  if (authenticator.open) logger.warn(OPEN_API_WARNING);
  else logger.info({ principals: authenticator.principalCount }, 'API keys loaded');
  return {
    authenticator,
    corsOrigins: config.CORS_ORIGINS,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    rateLimit: {
      redis,
      keys: new RedisKeys(config.REDIS_KEY_PREFIX),
      windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
      requests: config.RATE_LIMIT_REQUESTS,
      messages: config.RATE_LIMIT_MESSAGES,
    },
  };
}
