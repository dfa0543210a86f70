/** Lines for the operator (start banner, shutdown progress) go to stderr, apart from the JSON log. */
export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}
