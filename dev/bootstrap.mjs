#!/usr/bin/env node
// The one entry behind the npm scripts (start, cluster, test, test:cluster, api, worker, migrate, bench, chaos). Plain JavaScript
// with no dependencies, because it runs before anything is installed: checks Node, installs packages
// when the lock file changed, then hands over to TypeScript (tsx) or to the test runner.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => process.stderr.write(`${line}\n`);

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 3)) {
    say(`[setup] Node ${process.versions.node} is too old: install Node.js >= 20.3 (https://nodejs.org/).`);
    process.exit(1);
  }
}

/** Installs dependencies when node_modules is missing or older than package-lock.json. */
function ensureDependencies() {
  const lock = path.join(root, 'package-lock.json');
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const fresh = fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs;
  if (fresh) return;
  say(
    '[setup] Installing npm dependencies from package-lock.json (the first time builds sqlite3 and takes a few minutes)...',
  );
  const started = Date.now();
  // `npm install --no-save` rather than `npm ci`: npm 11 writes lock files without other platforms'
  // optional packages and then `npm ci` refuses them as out of sync; install follows the lock as well.
  const result = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    say(
      '[setup] npm install failed. Check your network access to the npm registry and a C/C++ toolchain for sqlite3, then retry.',
    );
    process.exit(result.status ?? 1);
  }
  say(`[setup] Dependencies installed in ${Math.round((Date.now() - started) / 1000)} s.`);
}

/** Runs a child with inherited stdio; forwards SIGTERM and lets Ctrl-C reach the child itself. */
function run(command, args, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env });
    const forward = (signal) => () => child.kill(signal);
    process.on('SIGTERM', forward('SIGTERM'));
    process.on('SIGINT', () => undefined); // the terminal already sent it to the child
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/**
 * Heap limit of Jest's processes (MB): in band, one process's heap grows with every file (111 files once
 * reached Node's default ~4 GB, OOM in the last); npm test's workers are replaced at 400 MB instead.
 */
const JEST_HEAP_MB = 8192;

const bin = (name) => path.join(root, 'node_modules', '.bin', name);

/** Builds the chat page (web/ → web/dist) when missing or stale; prints progress; never needs the network. */
async function buildWebPage() {
  const code = await run(process.execPath, ['--import', 'tsx', path.join(root, 'dev', 'web-build.ts')]);
  if (code !== 0) {
    say('[setup] FAILED: the chat page did not build (errors above). Fix web/, then run again.');
    process.exit(code);
  }
}

/**
 * What `npm run test:cluster` runs against the real Temporal server on Postgres (TEST_CLUSTER=1 in
 * test/global-setup.ts): end-to-end, streaming, session lifecycle, crash safety and continue-as-new.
 */
const CLUSTER_TEST_FILES = [
  'test/e2e/chat-turn.test.ts',
  'test/integration/streaming.test.ts',
  'test/integration/session-workflow.test.ts',
  'test/integration/session-deletion.test.ts',
  'test/integration/crash-safety.test.ts',
  'test/integration/continue-as-new.test.ts',
];

/** The house rules, each with what to do when it fails. Run by `npm test` (before Jest) and `npm run lint`. */
const RULES = [
  {
    name: 'import rules (dependency-cruiser)',
    command: [
      'depcruise',
      'src',
      'workflows',
      'activities',
      'dev',
      'test',
      'bench',
      'scripts',
      '--config',
      '.dependency-cruiser.cjs',
      '--output-type',
      'err',
    ],
    fix: 'an import breaks the floors (contract at the bottom, imports only go down, workflows import only the contract): move the import or the shared piece as the rule comment above says.',
  },
  {
    name: 'lint (typescript-eslint)',
    command: ['eslint', '--cache', '--cache-location', 'node_modules/.cache/eslint/', '.'],
    fix: 'fix the listed lines (unused code, unsafe any, floating promises); `npx eslint --fix .` fixes some by itself.',
  },
  {
    name: 'formatting (prettier)',
    command: ['prettier', '--check', '--log-level', 'warn', '.'],
    fix: 'run `npm run format` to reformat the listed files.',
  },
  {
    name: 'unused files and exports (knip)',
    command: ['knip', '--no-progress'],
    fix: 'delete the unused file, export or dependency knip lists (or use it).',
  },
];

async function checkRules() {
  for (const rule of RULES) {
    say(`[rules] ${rule.name}...`);
    const [command, ...args] = rule.command;
    const code = await run(bin(command), args);
    if (code !== 0) {
      say(`[rules] FAILED: ${rule.name}. To fix: ${rule.fix}`);
      return code;
    }
  }
  return 0;
}

async function main() {
  checkNode();
  const [command = 'start', ...rest] = process.argv.slice(2);
  ensureDependencies();
  const envFile = path.join(root, '.env');
  const tsx = [...(fs.existsSync(envFile) ? [`--env-file=${envFile}`] : []), '--import', 'tsx'];
  switch (command) {
    case 'start':
      await buildWebPage();
      process.exit(await run(process.execPath, [...tsx, path.join(root, 'dev', 'all-in-one.ts'), ...rest]));
    case 'api':
    case 'worker':
    case 'migrate':
      process.exit(await run(process.execPath, [...tsx, path.join(root, 'src', 'main.ts'), command, ...rest]));
    case 'chaos':
      process.exit(await run(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'chaos.ts'), ...rest]));
    case 'bench':
      process.exit(await run(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'run.ts'), ...rest]));
    case 'test': {
      say('[test] Type-checking (tsc --noEmit)...');
      // The server and tests, then the chat page (web/ has its own tsconfig: DOM, JSX; Vite does not type-check).
      const typecheck =
        (await run(bin('tsc'), ['--noEmit', '-p', '.'])) || (await run(bin('tsc'), ['--noEmit', '-p', 'web']));
      if (typecheck !== 0) {
        say('[test] FAILED: type errors above (tsc). Fix them, then run npm test again.');
        process.exit(typecheck);
      }
      const rules = await checkRules();
      if (rules !== 0) process.exit(rules);
      await buildWebPage();
      // Two Jest workers, one file each at a time (each test stack has its own task queue, Redis key
      // prefix, SQLite file and Postgres schema): 702 s for the files vs 1,231 s with one worker on
      // these 2 cores. jest.config.js replaces a worker whose heap passes workerIdleMemoryLimit.
      const heap = `--max-old-space-size=${JEST_HEAP_MB}`;
      const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${heap}`.trim() };
      process.exit(await run(bin('jest'), ['--maxWorkers=2', ...rest], env));
    }
    case 'test:cluster': {
      // No type-check or rules here (npm test does both); in band, as before: six files, one server.
      const heap = `--max-old-space-size=${JEST_HEAP_MB}`;
      const env = {
        ...process.env,
        TEST_CLUSTER: '1',
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${heap}`.trim(),
      };
      process.exit(await run(bin('jest'), ['--runInBand', ...CLUSTER_TEST_FILES, ...rest], env));
    }
    case 'cluster':
      await buildWebPage();
      process.exit(await run(process.execPath, [...tsx, path.join(root, 'dev', 'cluster.ts'), ...rest]));
    case 'lint':
      process.exit(await checkRules());
    default:
      say(
        `Unknown command "${command}". Use start, cluster, api, worker, migrate, bench, chaos, lint, test or test:cluster.`,
      );
      process.exit(2);
  }
}

main();
