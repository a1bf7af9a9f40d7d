import { randomBytes } from 'node:crypto';

/** A fresh 6-character run id ([a-z0-9]), so two runs on one machine never share cluster names. */
export function newRunId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(6)].map((b) => alphabet[b % alphabet.length]).join('');
}
