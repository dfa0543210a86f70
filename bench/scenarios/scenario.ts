import type { BenchSizes } from '../bench-sizes';
import type { BenchStack } from '../stack';

export interface ScenarioContext {
  stack: BenchStack;
  sizes: BenchSizes;
  log: (line: string) => void;
}

/** One scenario's figures: free-form JSON, every latency a `Summary` or a `Comparison`. */
export type ScenarioResult = Record<string, unknown>;

export interface Scenario {
  id: string;
  title: string;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}

export const MESSAGE = 'Tell me something short.';
