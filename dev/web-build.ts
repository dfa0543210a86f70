/**
 * Builds the chat page (web/ → web/dist with Vite) when the built files are missing or stale:
 * a hash of the sources (and Vite's version) is kept beside the output. Runs offline. Run by
 * `npm start` and `npm test` setup (dev/bootstrap.mjs) and by Jest's global setup.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const ROOT = path.resolve(__dirname, '..');
const WEB = path.join(ROOT, 'web');
const DIST = path.join(WEB, 'dist');
const HASH_FILE = path.join(DIST, '.source-hash');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'dist' || entry.name === 'node_modules' ? [] : sourceFiles(full);
    return [full];
  });
}

function sourceHash(): string {
  const hash = createHash('sha256');
  const vite = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'vite', 'package.json'), 'utf8')) as {
    version: string;
  };
  hash.update(`vite@${vite.version} production\n`);
  for (const file of sourceFiles(WEB).sort()) {
    hash.update(path.relative(WEB, file));
    hash.update(fs.readFileSync(file));
  }
  return hash.digest('hex');
}

/** Gzipped bytes of everything the page loads (its shell and assets). */
export function pageGzipBytes(): number {
  const assets = fs.readdirSync(path.join(DIST, 'assets')).map((f) => path.join(DIST, 'assets', f));
  return [path.join(DIST, 'index.html'), ...assets]
    .filter((f) => !f.endsWith('.map'))
    .reduce((sum, f) => sum + gzipSync(fs.readFileSync(f)).length, 0);
}

export function ensureWebBuild(say: (line: string) => void): void {
  const hash = sourceHash();
  const built = fs.existsSync(path.join(DIST, 'index.html')) && fs.existsSync(HASH_FILE);
  if (built && fs.readFileSync(HASH_FILE, 'utf8') === hash) return;
  say(`[setup] Building the chat page (web/ → web/dist with Vite)${built ? ': sources changed' : ''}...`);
  const started = Date.now();
  const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'vite'), ['build', WEB], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    // Always a production build: under Jest NODE_ENV is `test`, which made Vite emit the JSX dev
    // runtime (source paths of this checkout in the bundle) into the same web/dist `npm start` serves.
    env: { ...process.env, NODE_ENV: 'production', VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
  });
  if (result.status !== 0) throw new Error('The chat page build failed (vite build web): see the errors above.');
  fs.writeFileSync(HASH_FILE, hash);
  say(
    `[setup] Chat page built in ${Date.now() - started} ms: ${Math.round(pageGzipBytes() / 1024)} KB gzipped (budget 150 KB).`,
  );
}

if (require.main === module) {
  try {
    ensureWebBuild((line) => process.stderr.write(`${line}\n`));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
}
