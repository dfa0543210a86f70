import type { SnapshotRead } from '../../store/session-snapshot-store';
import type { CachedHistory } from './history-cache';

/**
 * Whether a cached archive answer is what the archive would answer now. The archive is written
 * first, the snapshot after it, and a marker covers the gap (markArchiving, set before the row and
 * removed with the snapshot holding that turn). So with the marker absent the archive holds exactly
 * the snapshot's `turns` turns — unless it holds fewer (a turn the workflow counted but could not
 * archive), which an entry of that many turns cannot match either. Without a snapshot nothing is known.
 */
export function cachedHistoryIsCurrent<T extends Pick<CachedHistory, 'turns'>>(
  cached: T | undefined,
  read: SnapshotRead,
): cached is T {
  return cached !== undefined && read.snapshot !== null && !read.archiving && cached.turns === read.snapshot.turns;
}
