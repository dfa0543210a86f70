import fs from 'node:fs';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

export interface StaticFile {
  body: Buffer;
  type: string;
}

/**
 * Files of one folder, read on first request and kept (they change only with a rebuild and a
 * restart). A name that would leave the folder, or is not a plain file, is not found.
 */
export class StaticFiles {
  private readonly cache = new Map<string, StaticFile | null>();

  constructor(readonly root: string) {}

  get(name: string): StaticFile | undefined {
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached ?? undefined;
    const file = this.read(name);
    this.cache.set(name, file ?? null);
    return file;
  }

  private read(name: string): StaticFile | undefined {
    if (!/^[A-Za-z0-9._/-]+$/.test(name) || name.split('/').some((part) => part === '..' || part === ''))
      return undefined;
    const full = path.join(this.root, name);
    if (!full.startsWith(this.root + path.sep)) return undefined;
    try {
      if (!fs.statSync(full).isFile()) return undefined;
      return { body: fs.readFileSync(full), type: CONTENT_TYPES[path.extname(full)] ?? 'application/octet-stream' };
    } catch {
      return undefined;
    }
  }
}
