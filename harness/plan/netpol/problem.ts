/** Something wrong in an input value, at a field path inside its YAML document (the loader adds file, line, column). */
export interface Problem {
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** Shown, but the input stays usable. */
  readonly warning?: boolean;
}

export type FieldPath = readonly (string | number)[];

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Problems for the fields of `value` that are not in `known` (a misspelt field would silently change the meaning). */
export function unknownFields(value: Record<string, unknown>, known: readonly string[], path: FieldPath): Problem[] {
  return Object.keys(value)
    .filter((k) => !known.includes(k))
    .map((k) => ({ path: [...path, k], message: `unknown field "${k}"; known fields: ${known.join(', ')}` }));
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${JSON.stringify(value)}`;
}
