/** How big each scenario runs: `--smoke` (seconds, for the test suite), default, `--full`. */
export type BenchMode = 'smoke' | 'default' | 'full';

export interface BenchSizes {
  overheadTurns: number;
  ttftTurns: number;
  throughputConcurrency: number[];
  throughputSeconds: number;
  idleSessions: number;
  idleOpenConcurrency: number;
  idleProbeTurns: number;
  readSeconds: number;
  readConnections: number;
  readTurnsInSession: number;
  fanoutClients: number;
  /** g. Memories of the recalling principal (and as many of another). */
  memoryCount: number;
  recallQueries: number;
  longSessionTurns: number;
  longSessionMessageChars: number;
}

export const SIZES: Record<BenchMode, BenchSizes> = {
  smoke: {
    overheadTurns: 3,
    ttftTurns: 3,
    throughputConcurrency: [2],
    throughputSeconds: 2,
    idleSessions: 10,
    idleOpenConcurrency: 5,
    idleProbeTurns: 3,
    readSeconds: 1,
    readConnections: 4,
    readTurnsInSession: 2,
    fanoutClients: 4,
    memoryCount: 200,
    recallQueries: 20,
    longSessionTurns: 12,
    longSessionMessageChars: 2000,
  },
  default: {
    overheadTurns: 50,
    ttftTurns: 50,
    throughputConcurrency: [10, 50],
    throughputSeconds: 10,
    idleSessions: 1000,
    idleOpenConcurrency: 20,
    idleProbeTurns: 100,
    readSeconds: 10,
    readConnections: 20,
    readTurnsInSession: 10,
    fanoutClients: 100,
    memoryCount: 10_000,
    recallQueries: 500,
    longSessionTurns: 500,
    longSessionMessageChars: 2000,
  },
  full: {
    overheadTurns: 200,
    ttftTurns: 200,
    throughputConcurrency: [10, 50, 200],
    throughputSeconds: 30,
    idleSessions: 10_000,
    idleOpenConcurrency: 50,
    idleProbeTurns: 100,
    readSeconds: 30,
    readConnections: 50,
    readTurnsInSession: 10,
    fanoutClients: 100,
    memoryCount: 50_000,
    recallQueries: 2_000,
    longSessionTurns: 2000,
    longSessionMessageChars: 2000,
  },
};
