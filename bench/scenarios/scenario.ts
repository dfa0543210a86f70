import type { BenchSizes } from '../bench-sizes';
import type { BenchStack } from '../stack';
import type { ScenarioResults } from './scenario-results';

export interface ScenarioContext {
  stack: BenchStack;
  sizes: BenchSizes;
  log: (line: string) => void;
}

export type ScenarioId = keyof ScenarioResults;

/** A scenario answers the figures filed under its own id. */
export interface Scenario<Id extends ScenarioId = ScenarioId> {
  id: Id;
  title: string;
  run(ctx: ScenarioContext): Promise<ScenarioResults[Id]>;
}

export const MESSAGE = 'Tell me something short.';
