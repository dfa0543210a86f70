import { calculate, calculatorTool, CalculationError, MAX_EXPRESSION_LENGTH } from '../../src/tools/calculator';

describe('calculator (restricted mathjs)', () => {
  it.each([
    ['2 + 2', 4],
    ['sqrt(16) * 10', 40],
    ['10 * 20', 200],
    ['(1 + 2) ^ 3', 27],
    ['0.1 + 0.2', 0.3],
  ])('when given %s then it answers %s', async (expression, expected) => {
    await expect(calculate(expression)).resolves.toBe(expected);
  });

  it.each([
    "__import__('os')",
    'import({}, {override: true})',
    'evaluate("1 + 1")',
    'parse("1 + 1")',
    'compile("1")',
    'createUnit("foo")',
    'simplify("x + x")',
    'derivative("x^2", "x")',
    'resolve("x", {x: 1})',
    'f(x) = x',
    '1 / 0',
    '',
  ])('when given the unsafe or invalid %p then it throws a CalculationError', async (expression) => {
    await expect(calculate(expression)).rejects.toThrow(CalculationError);
  });

  it('when the expression is longer than the limit then it is refused before parsing', async () => {
    await expect(calculate('1+'.repeat(MAX_EXPRESSION_LENGTH) + '1')).rejects.toThrow(/longer than/);
  });

  it('when a blocked function is called then the instance is still usable afterwards', async () => {
    await expect(calculate('import({pi: 3}, {override: true})')).rejects.toThrow(CalculationError);
    expect(await calculate('pi * 2')).toBeCloseTo(6.283185307, 6);
  });

  it('when run as a tool with a malicious expression then it returns an error result instead of throwing', async () => {
    const outcome = await calculatorTool.run({ expression: "__import__('os')" });
    expect(outcome.ok).toBe(false);
    expect(outcome.error).toMatch(/Undefined function __import__/);
  });

  it('when run as a tool then the result names the expression and provider', async () => {
    await expect(calculatorTool.run({ expression: '2 + 2' })).resolves.toEqual({
      ok: true,
      value: { expression: '2 + 2', result: 4 },
      provider: 'mathjs',
    });
  });
});
