import type { Middleware } from 'koa';
import { UnauthorizedError } from '../../errors';
import { isPublicPath } from '../security/public-paths';
import type { ApiKeyAuthenticator } from '../security/api-key-authenticator';
import '../requests/request-state';

/**
 * Every non-public request needs a valid `Authorization: Bearer <key>` when keys are configured;
 * the principal lands on ctx.state.principal (`anonymous` when the API runs open).
 */
export function authenticate(authenticator: ApiKeyAuthenticator): Middleware {
  return async (ctx, next) => {
    if (isPublicPath(ctx.path)) {
      await next();
      return;
    }
    const result = authenticator.authenticate(ctx.get('authorization') || undefined);
    if (!result.ok) {
      throw new UnauthorizedError(
        result.reason === 'missing'
          ? 'Authentication required: send `Authorization: Bearer <API key>`.'
          : 'The API key is not valid.',
      );
    }
    ctx.state.principal = result.principal;
    await next();
  };
}
