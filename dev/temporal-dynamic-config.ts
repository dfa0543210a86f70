/**
 * The dynamic config every Temporal server this project starts runs with (`npm start`, `npm run cluster`,
 * the test suite, the bench), so they all measure and behave alike.
 */
export const TEMPORAL_DYNAMIC_CONFIG: Record<string, unknown> = {
  // Activities a workflow task schedules go straight back to its worker, without a round trip through matching.
  'system.enableActivityEagerExecution': true,
  // The history shard's transfer queue (which hands workflow tasks scheduled by an activity completion or a signal
  // to matching) is read at most this often; at the server's default of 20/s the second such task within 50 ms waits
  // for the next read: ~30 ms per model call with a fast model (bench/README.md, "the 0 ms anomaly").
  'history.transferProcessorMaxPollRPS': 1000,
};
