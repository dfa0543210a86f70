import type Redis from 'ioredis';

/**
 * Idle Redis connections kept for blocking reads (XREAD BLOCK holds its connection). Opening a
 * fresh one per waiting request cost a TCP connect and handshake on every turn and stream; a
 * connection goes back here only when it is healthy and no blocking read is in flight on it.
 */
export class BlockingConnectionPool {
  private readonly idle: Redis[] = [];

  constructor(
    private readonly open: () => Redis,
    private readonly maxIdle = 64,
  ) {}

  readonly acquire = (): Redis => this.idle.pop() ?? this.open();

  readonly release = (connection: Redis): void => {
    if (connection.status === 'ready' && this.idle.length < this.maxIdle) this.idle.push(connection);
    else connection.disconnect();
  };

  close(): void {
    for (const connection of this.idle.splice(0)) connection.disconnect();
  }
}
