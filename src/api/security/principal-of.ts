import type { Context } from 'koa';
import '../requests/request-state';
import { ANONYMOUS_PRINCIPAL } from './api-key-authenticator';

/** Who is calling: the API key's principal (`anonymous` when the API runs open). */
export type Principal = string;

/** The caller as authentication left it on the context. */
export const principalOf = (ctx: Context): Principal => ctx.state.principal ?? ANONYMOUS_PRINCIPAL;
