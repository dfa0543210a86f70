import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { FIXTURES_DIR } from '../../dev/history-fixture';

interface JsonEvent {
  eventType: string;
  activityTaskScheduledEventAttributes?: { activityType: { name: string } };
  [key: string]: unknown;
}

const fixtures = fs
  .readdirSync(FIXTURES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => ({
    name: path.basename(file, '.json'),
    json: JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, file), 'utf8')) as { events: JsonEvent[] },
  }));

/** The sessions every fixture set records (`npm run record-fixtures`). */
const RECORDED_SESSIONS = [
  'plain-turn',
  'tool-turn',
  'fallback-turn',
  'cancelled-turn',
  'continue-as-new',
  'continued-run',
  'ended-session',
];

/** Sessions whose tool call waited for approval, recorded from the v3 set on (`v3-<name>`). */
const APPROVAL_SESSIONS = ['approval-approved', 'approval-denied', 'approval-timeout'];

const byName = (name: string) => {
  const found = fixtures.find((f) => f.name === name);
  if (!found) throw new Error(`fixture ${name}.json is missing from ${FIXTURES_DIR}`);
  return found.json.events;
};
const activities = (events: JsonEvent[]) =>
  events.flatMap((e) =>
    e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType.name] : [],
  );
const types = (events: JsonEvent[]) => new Set(events.map((e) => e.eventType));

/** The ids of the patch markers in a history. */
const patchIds = (events: JsonEvent[]) =>
  events.flatMap((e) => {
    const marker = e.markerRecordedEventAttributes as
      { markerName: string; details?: Record<string, { payloads: Array<{ data: string }> }> } | undefined;
    if (marker?.markerName !== 'core_patch') return [];
    const data = marker.details?.['patch-data']?.payloads[0]?.data ?? '';
    return [(JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { id: string }).id];
  });

const replayOptions = () => ({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE as string } });

/**
 * Every committed history must replay on the current workflow code: a change that alters the
 * order of commands breaks a running session, and must be guarded with `patched()`.
 */
describe('replaying recorded session histories against the current workflow code', () => {
  it('when the fixtures are read then they cover a plain, tool, fallback, cancelled, continued-as-new and ended session', () => {
    expect(activities(byName('plain-turn'))).toEqual(['callModel', 'archiveTurn', 'mirrorSession']);
    expect(activities(byName('tool-turn'))).toContain('calculator');
    expect(activities(byName('fallback-turn')).filter((a) => a === 'callModel')).toHaveLength(2);
    expect(types(byName('fallback-turn'))).toContain('EVENT_TYPE_ACTIVITY_TASK_FAILED');
    expect(types(byName('cancelled-turn'))).toContain('EVENT_TYPE_ACTIVITY_TASK_CANCELED');
    expect(byName('continue-as-new').at(-1)?.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
    expect(byName('ended-session').at(-1)?.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
    expect(activities(byName('ended-session'))).toContain('recordSessionEnd');
  });

  it('when the patched fixtures are read then they cover the same sessions recorded after the archive became a local activity', () => {
    for (const name of RECORDED_SESSIONS) {
      const events = byName(`patched-${name}`);
      expect([name, activities(events).includes('archiveTurn')]).toEqual([name, false]);
      expect([name, types(events).has('EVENT_TYPE_MARKER_RECORDED')]).toEqual([name, true]);
    }
  });

  it('when the v2 fixtures are read then they hold the idle continue-as-new patch marker of the same sessions', () => {
    for (const name of RECORDED_SESSIONS) {
      expect([name, patchIds(byName(`v2-${name}`))]).toEqual([
        name,
        expect.arrayContaining(['continue-as-new-when-idle']),
      ]);
      expect([name, patchIds(byName(name))]).toEqual([name, []]);
    }
  });

  it('when the v3 approval fixtures are read then each waited behind the tool-approval patch and ended as decided', () => {
    for (const name of APPROVAL_SESSIONS)
      expect([name, patchIds(byName(`v3-${name}`))]).toEqual([name, expect.arrayContaining(['tool-approval'])]);
    for (const name of RECORDED_SESSIONS) expect(patchIds(byName(`v2-${name}`))).not.toContain('tool-approval');
    const approved = byName('v3-approval-approved');
    expect(types(approved)).toContain('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED');
    expect(activities(approved)).toContain('calculator');
    expect(activities(byName('v3-approval-denied'))).not.toContain('calculator');
    const timedOut = byName('v3-approval-timeout');
    expect(types(timedOut)).toContain('EVENT_TYPE_TIMER_FIRED');
    expect(activities(timedOut)).not.toContain('calculator');
  });

  it('when the v4 fixtures are read then each turn ended in one local activity with no mirror activity and no timer per turn', () => {
    for (const name of [...RECORDED_SESSIONS, ...APPROVAL_SESSIONS]) {
      const events = byName(`v4-${name}`);
      expect([name, patchIds(events)]).toEqual([
        name,
        expect.arrayContaining(['finish-turn-local-activity', 'one-idle-timer']),
      ]);
    }
    expect(activities(byName('v4-plain-turn'))).toEqual(['callModel']);
    expect(activities(byName('v4-tool-turn'))).toEqual(['callModel', 'calculator', 'callModel']);
    expect(types(byName('v4-continued-run'))).not.toContain('EVENT_TYPE_TIMER_CANCELED');
  });

  it('when the v5 fixtures are read then each answered turn was ended by its model call, with no local activity after it', () => {
    const localActivities = (events: JsonEvent[]) =>
      events.filter(
        (e) =>
          (e.markerRecordedEventAttributes as { markerName?: string } | undefined)?.markerName ===
          'core_local_activity',
      );
    for (const name of [...RECORDED_SESSIONS, ...APPROVAL_SESSIONS])
      expect([name, patchIds(byName(`v5-${name}`))]).toEqual([
        name,
        expect.arrayContaining(['finish-turn-in-model-call']),
      ]);
    expect(activities(byName('v5-plain-turn'))).toEqual(['callModel']);
    expect(localActivities(byName('v5-plain-turn'))).toEqual([]);
    expect(activities(byName('v5-tool-turn'))).toEqual(['callModel', 'calculator', 'callModel']);
    expect(localActivities(byName('v5-tool-turn'))).toEqual([]);
    // A cancelled turn has no answer to end it with: the workflow ends it (local activity), as before.
    expect(localActivities(byName('v5-cancelled-turn')).length).toBeGreaterThan(0);
  });

  it('when every fixture is replayed then none has a determinism error', async () => {
    const histories = fixtures.map((f) => ({ workflowId: f.name, history: f.json }));
    const results: Array<{ workflowId: string; error?: string }> = [];
    for await (const result of Worker.runReplayHistories(replayOptions(), histories)) {
      results.push({ workflowId: result.workflowId, ...(result.error ? { error: String(result.error) } : {}) });
    }
    expect(results).toEqual(fixtures.map((f) => ({ workflowId: f.name })));
  }, 120_000);

  it('when the code would issue different commands than the history holds then the replay fails', async () => {
    // Pretend an older version archived before calling the model: the current code must be caught.
    const events = structuredClone(byName('plain-turn'));
    const firstModelCall = events.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType.name === 'callModel',
    );
    (firstModelCall as JsonEvent).activityTaskScheduledEventAttributes!.activityType.name = 'archiveTurn';
    await expect(
      Worker.runReplayHistory(replayOptions(), historyFromJSON({ events }), 'tampered'),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  }, 60_000);
});
