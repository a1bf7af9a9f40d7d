/** A run id: 1-6 lowercase letters or digits. Cluster names (kconn-<run-id>-<cluster>) and run folders are made of it. */
export const RUN_ID = /^[a-z0-9]{1,6}$/;

/** Why `id` is not a run id, or undefined when it is one. The answer never echoes more than 40 characters of it. */
export function runIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string') return `expected a string, got ${id === null ? 'null' : Array.isArray(id) ? 'a list' : typeof id}`;
  if (RUN_ID.test(id)) return undefined;
  const shown = JSON.stringify(id.length > 40 ? `${id.slice(0, 40)}...` : id);
  return `${shown} is not a run id (1-6 lowercase letters or digits, as kconn prints them)`;
}
