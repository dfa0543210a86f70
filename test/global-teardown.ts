import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const stack = globalThis.__TEST_STACK__;
  if (!stack) return;
  await stack.devServer.stop();
  await stack.stopRedis();
  fs.rmSync(stack.tmpDir, { recursive: true, force: true });
}
