import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Row } from '../../bench/report';
import type { ScenarioResults } from '../../bench/scenarios/scenario-results';
import { parseJson } from '../helpers/http';

/**
 * Keeps the benchmark from rotting: runs `bench/run.ts --smoke` (tiny counts, its own stack)
 * and checks the report has every scenario with numeric figures. Speeds are never asserted.
 */
const ROOT = path.resolve(__dirname, '../..');
const SCENARIOS: Array<keyof ScenarioResults> = [
  'turn_overhead',
  'time_to_first_token',
  'throughput',
  'idle_sessions',
  'history_reads',
  'streaming_fanout',
  'stream_fanout_1000',
  'memory_recall',
  'long_session',
];

/** The parts of bench/run.ts's JSON report this test reads. */
interface BenchReport {
  config: { mode: string };
  machine: { cpus: number; load_average_at_start: number[]; loaded: boolean };
  versions: { temporal_sdk: unknown };
  results: ScenarioResults;
  table: Row[];
}

function numbersIn(value: unknown, found: number[] = []): number[] {
  if (typeof value === 'number') found.push(value);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) numbersIn(v, found);
  return found;
}

function runBench(out: string): Promise<{ code: number | null; log: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'bench', 'run.ts'), '--smoke', `--out=${out}`],
      {
        cwd: ROOT,
        env: { ...process.env, REDIS_URL: process.env.TEST_REDIS_URL ?? process.env.REDIS_URL },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let log = '';
    child.stdout.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr.on('data', (c: Buffer) => (log += c.toString()));
    child.on('exit', (code) => resolve({ code, log }));
  });
}

describe('bench smoke', () => {
  it('when the bench runs with --smoke, then its JSON report has every scenario with numeric figures and a baseline', async () => {
    const out = path.join(process.env.TEST_TMP_DIR as string, 'bench-smoke.json');
    const { code, log } = await runBench(out);
    expect({ code, tail: code === 0 ? '' : log.slice(-3000) }).toEqual({ code: 0, tail: '' });
    const report = parseJson<BenchReport>(fs.readFileSync(out, 'utf8'));
    expect(report.config.mode).toBe('smoke');
    expect(report.machine.cpus).toBeGreaterThan(0);
    expect(report.machine.load_average_at_start).toHaveLength(3);
    expect(typeof report.machine.loaded).toBe('boolean');
    expect(typeof report.versions.temporal_sdk).toBe('string');
    for (const id of SCENARIOS) {
      const figures = numbersIn(report.results[id]);
      expect({ id, numeric: figures.length > 3, finite: figures.every(Number.isFinite) }).toEqual({
        id,
        numeric: true,
        finite: true,
      });
    }
    expect(report.results.turn_overhead.latency_0ms_no_tools?.baseline.count).toBe(3);
    expect(report.results.turn_overhead.latency_0ms_no_tools?.ours.count).toBe(3);
    expect(report.results.streaming_fanout.complete_streams).toBe(report.results.streaming_fanout.clients);
    expect(report.table.length).toBeGreaterThan(5);
  }, 600_000);
});
