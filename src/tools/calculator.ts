import type { MathJsInstance } from 'mathjs';
import { z } from 'zod';
import { defineTool } from './tool-definition';

export const MAX_EXPRESSION_LENGTH = 500;

const blocked = (name: string) => () => {
  throw new Error(`Function ${name} is disabled`);
};

/**
 * A restricted mathjs instance, following mathjs's security guidance: the functions that
 * could redefine the instance or re-enter the parser are replaced by ones that throw.
 */
async function restrictedMath(): Promise<{ math: MathJsInstance; evaluate: MathJsInstance['evaluate'] }> {
  const { all, create } = await import('mathjs');
  const math = create(all, { number: 'number', precision: 64 });
  const evaluate = math.evaluate.bind(math);
  math.import(
    {
      import: blocked('import'),
      createUnit: blocked('createUnit'),
      evaluate: blocked('evaluate'),
      parse: blocked('parse'),
      compile: blocked('compile'),
      simplify: blocked('simplify'),
      derivative: blocked('derivative'),
      resolve: blocked('resolve'),
      reviver: blocked('reviver'),
      parser: blocked('parser'),
      chain: blocked('chain'),
    },
    { override: true },
  );
  return { math, evaluate };
}

/** Loaded on the first calculation: mathjs costs a process ~75 MB of RSS, and the API and many workers never calculate. */
let loaded: ReturnType<typeof restrictedMath> | undefined;

export class CalculationError extends Error {
  override name = 'CalculationError';
}

/** Evaluates one arithmetic expression in a fresh scope; rejects with CalculationError on anything else. */
export async function calculate(expression: string): Promise<number | string> {
  const trimmed = expression.trim();
  if (trimmed.length === 0) throw new CalculationError('Expression is empty');
  if (trimmed.length > MAX_EXPRESSION_LENGTH) {
    throw new CalculationError(`Expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  }
  const { math, evaluate } = await (loaded ??= restrictedMath());
  let value: unknown;
  try {
    value = evaluate(trimmed, {});
  } catch (err) {
    throw new CalculationError((err as Error).message);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new CalculationError('Result is not a finite number');
    return Number(math.format(value, { precision: 14 }));
  }
  if (typeof value === 'boolean') return String(value);
  if (value !== null && typeof value === 'object' && 'toString' in value && typeof value !== 'function') {
    // Matrices, units, complex numbers and bignumbers format as text.
    const kind = math.typeOf(value);
    if (['Matrix', 'DenseMatrix', 'Unit', 'Complex', 'BigNumber', 'Fraction'].includes(kind)) {
      return math.format(value, { precision: 14 });
    }
  }
  throw new CalculationError('Expression did not produce a number');
}

export const calculatorTool = defineTool({
  name: 'calculator',
  description: 'Evaluates an arithmetic expression, e.g. "2 + 2", "sqrt(16) * 10", "15% of 200" as "0.15 * 200".',
  schema: z.object({
    expression: z.string().min(1).max(MAX_EXPRESSION_LENGTH).describe('The arithmetic expression to evaluate.'),
  }),
  // Pure and cheap: no cache, one retry for a worker crash.
  policy: { maximumAttempts: 2, timeoutSeconds: 5 },
  cacheable: false,
  idempotent: true,
  /** Read-only: runs without asking. */
  approval: 'never',
  async run({ expression }) {
    try {
      return { ok: true, value: { expression, result: await calculate(expression) }, provider: 'mathjs' };
    } catch (err) {
      return { ok: false, value: { expression }, error: (err as Error).message, provider: 'mathjs' };
    }
  },
});
