/** GET/POST JSON with a hard timeout; tools use it so a slow provider cannot stall a turn. */
export class ToolHttpError extends Error {
  override name = 'ToolHttpError';
}

export async function fetchJson(url: string, timeoutMs: number, init: RequestInit = {}): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new ToolHttpError(`${new URL(url).host} unreachable: ${(err as Error).message}`);
  }
  if (!response.ok) throw new ToolHttpError(`${new URL(url).host} answered HTTP ${response.status}`);
  try {
    return await response.json();
  } catch {
    throw new ToolHttpError(`${new URL(url).host} answered with invalid JSON`);
  }
}
