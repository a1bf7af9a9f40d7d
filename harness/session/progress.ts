/** Progress lines of long work: elapsed time, which cluster or suite, what step. */
export interface Progress {
  line(scope: string, message: string): void;
}

/**
 * On a terminal: dimmed elapsed time and a coloured scope. Elsewhere (CI, pipes): plain lines that read well in logs.
 * Progress goes to stderr so that stdout stays for results (mocha's report, kubeconfig paths).
 */
export function createProgress(stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr, start = Date.now(), now: () => number = Date.now): Progress {
  const tty = Boolean(stream.isTTY) && !process.env['CI'] && !process.env['NO_COLOR'];
  return {
    line(scope, message) {
      const secs = ((now() - start) / 1000).toFixed(1).padStart(6);
      stream.write(tty ? `\x1b[2m[${secs}s]\x1b[0m \x1b[36m${scope}\x1b[0m ${message}\n` : `[${secs}s] ${scope}: ${message}\n`);
    },
  };
}
