import type { Logger } from '../logger';
import { say } from './say';

/**
 * A process's orderly stop: what was started registers how to stop it, and SIGINT/SIGTERM stop
 * everything in reverse order (the API before the worker, the worker before the stores). A second
 * signal exits at once.
 */
export class ProcessLifecycle {
  private readonly cleanups: Array<() => Promise<void>> = [];
  private stopping = false;

  constructor(
    private readonly logger: Logger,
    /** What a shutdown stops, as the shutdown line names it. */
    private readonly stopsWhat: string,
  ) {
    process.on('SIGINT', () => this.shutdown('SIGINT'));
    process.on('SIGTERM', () => this.shutdown('SIGTERM'));
  }

  onStop(cleanup: () => Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  shutdown(reason: string, exitCode = 0): void {
    if (this.stopping) {
      say(`[shutdown] ${reason} again: exiting now`);
      process.exit(130);
    }
    this.stopping = true;
    say(`[shutdown] ${reason}: stopping ${this.stopsWhat}...`);
    void this.stopAll().then(() => {
      say('[shutdown] done: API closed, worker drained, Redis and SQLite closed');
      process.exit(exitCode);
    });
  }

  /** Stops what has started so far; a cleanup that fails is logged and the rest still run. */
  async stopAll(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0).reverse()) {
      await cleanup().catch((err) => this.logger.error({ err }, 'error while stopping'));
    }
  }
}
