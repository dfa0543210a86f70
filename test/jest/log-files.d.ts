export function logFileFor(logDir: string, rootDir: string, testPath: string): string;
export const markers: {
  testStart(name: string): string;
  testDone(name: string, failed: boolean): string;
  testDonePattern: RegExp;
  childStartPattern: RegExp;
};
