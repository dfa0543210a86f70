import type http from 'node:http';

class PortInUseError extends Error {
  override name = 'PortInUseError';
}

/**
 * Listens, or fails with a message that says what to do: a busy port otherwise surfaces as an
 * unhandled 'error' event with a stack trace.
 */
export function listen(server: http.Server, port: number, host: string, setting: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new PortInUseError(
              `Port ${port} on ${host} is already in use (another instance running?). Stop it or set ${setting} to a free port.`,
            )
          : err,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
