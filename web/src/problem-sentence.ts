/** What the API's JSON error says, turned into what a person should read and do. */
export function sentenceFor(status: number, code: string, message: string, retryAfter?: number): string {
  const wait = retryAfter ? ` Try again in ${retryAfter} second${retryAfter === 1 ? '' : 's'}.` : ' Try again shortly.';
  if (status === 401) return 'This server needs an API key. Enter yours to continue.';
  if (status === 402 || code === 'budget_exceeded')
    return 'This chat has used up its budget, so no model was called. Start a new chat to continue.';
  if (status === 429 && code === 'session_queue_full') return `Too many messages are waiting in this chat.${wait}`;
  if (status === 429) return `You are sending messages too fast.${wait}`;
  if (status === 502) return 'The model failed to answer. Send your message again, or pick another model.';
  if (status === 503) return `A service the chat needs is unavailable right now.${wait}`;
  if (status === 404) return 'This chat does not exist (or is not yours). Start a new chat.';
  if (status === 410 || code === 'session_ended') return 'This chat has ended. Start a new chat to continue.';
  if (status === 422) return `The request was not accepted: ${message}`;
  return message || `The server answered ${status}.`;
}
