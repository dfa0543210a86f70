/**
 * Regenerates `.env.example` and the README's configuration table from the config schema, so
 * the docs cannot drift from what the service reads: `npm run config-docs`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { configSchema } from './config-schema';

const root = path.resolve(__dirname, '..');

function rows(): Array<{ key: string; fallback: string; description: string }> {
  return Object.entries(configSchema.shape).map(([key, schema]) => {
    const parsed = (schema as z.ZodType).safeParse(undefined);
    const fallback = parsed.success && parsed.data !== undefined ? `${parsed.data as string | number | boolean}` : '';
    return { key, fallback, description: (schema as z.ZodType).description ?? '' };
  });
}

export function envExample(): string {
  const lines = [
    '# Every setting the service reads (src/config.ts validates them once at boot).',
    '# Copy to .env (npm start loads it) or export them; unset keys take the default shown.',
    '',
  ];
  for (const { key, fallback, description } of rows()) {
    lines.push(
      `# ${description}`,
      fallback === '' ? `# ${key}=` : `${key}=${/[\s#"']/.test(fallback) ? JSON.stringify(fallback) : fallback}`,
      '',
    );
  }
  return lines.join('\n');
}

export function readmeTable(): string {
  const lines = ['| Variable | Default | Meaning |', '|---|---|---|'];
  for (const { key, fallback, description } of rows()) {
    lines.push(
      `| \`${key}\` | ${fallback === '' ? '(unset)' : `\`${fallback}\``} | ${description.replace(/\|/g, '\\|')} |`,
    );
  }
  return lines.join('\n');
}

const START = '<!-- config-table:start -->';
const END = '<!-- config-table:end -->';

if (require.main === module) {
  fs.writeFileSync(path.join(root, '.env.example'), envExample());
  const readmePath = path.join(root, 'README.md');
  const readme = fs.readFileSync(readmePath, 'utf8');
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from < 0 || to < 0) throw new Error(`README.md lacks the ${START} / ${END} markers`);
  fs.writeFileSync(readmePath, `${readme.slice(0, from + START.length)}\n${readmeTable()}\n${readme.slice(to)}`);
  process.stdout.write('Wrote .env.example and the README configuration table.\n');
}
