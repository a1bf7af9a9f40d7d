import { parseDuration } from '../model/duration.js';
import type { CommandIO } from '../session/commandIO.js';

/** Reads --timeout; undefined (with a message) when malformed. */
export function timeoutMs(text: string | undefined, fallback: string, io: CommandIO): number | undefined {
  const ms = parseDuration(text ?? fallback);
  if (ms === undefined || ms <= 0) {
    io.err(`--timeout ${text}: expected a duration such as 90s, 15m or 1h`);
    return undefined;
  }
  return ms;
}
