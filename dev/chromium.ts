import fs from 'node:fs';

/** Flags this machine's closed network needs (no background fetches, no QUIC); headless by default. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's `chromium` (or CHROMIUM_PATH); a clear instruction when there is none. */
export function findChromium(): string {
  for (const candidate of [
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ]) {
    if (candidate && fs.existsSync(candidate)) return candidate;
  }
  throw new Error("No Chromium found: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH.");
}
