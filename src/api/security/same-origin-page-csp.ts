/**
 * The Content-Security-Policy of the pages the API serves (the chat page, /docs): scripts, styles
 * and API calls from this origin only; no inline script, nothing external (the service may run
 * offline), no framing. Swagger UI's inline style attributes are set through the DOM (allowed).
 */
export const SAME_ORIGIN_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
