/** Where a command writes: results to `out` (stdout), messages to `err` (stderr). */
export interface CommandIO {
  out(line: string): void;
  err(line: string): void;
}
