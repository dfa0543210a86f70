/** Stream ids are `ms-seq`; compares them numerically. */
export function compareStreamIds(a: string, b: string): number {
  const [am, as = '0'] = a.split('-');
  const [bm, bs = '0'] = b.split('-');
  const major = BigInt(am) - BigInt(bm);
  if (major !== 0n) return major < 0n ? -1 : 1;
  const minor = BigInt(as) - BigInt(bs);
  return minor === 0n ? 0 : minor < 0n ? -1 : 1;
}
