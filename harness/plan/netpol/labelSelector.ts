import { labelKeyProblem, labelValueProblem, type Labels } from './labels.js';
import { describeValue, isRecord, unknownFields, type FieldPath, type Problem } from './problem.js';

export const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
export type SelectorOperator = (typeof SELECTOR_OPERATORS)[number];

export interface SelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/** A metav1.LabelSelector: every matchLabels pair AND every requirement must hold; an empty selector matches everything. */
export interface LabelSelector {
  readonly matchLabels: Labels;
  readonly matchExpressions: readonly SelectorRequirement[];
}

export const EVERYTHING: LabelSelector = { matchLabels: {}, matchExpressions: [] };

/** Label selector semantics of apimachinery (labels.Selector): NotIn and DoesNotExist hold for a missing key. */
export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  return selector.matchExpressions.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    switch (r.operator) {
      case 'In':
        return has && r.values.includes(labels[r.key]!);
      case 'NotIn':
        return !has || !r.values.includes(labels[r.key]!);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
    }
    return false;
  });
}

export function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels).length === 0 && selector.matchExpressions.length === 0;
}

/** `pod=a, ns in (x, y), !tier`, or `{}` for the empty selector (everything). */
export function describeSelector(selector: LabelSelector): string {
  const parts = [
    ...Object.entries(selector.matchLabels).map(([k, v]) => `${k}=${v}`),
    ...selector.matchExpressions.map((r) => {
      if (r.operator === 'Exists') return r.key;
      if (r.operator === 'DoesNotExist') return `!${r.key}`;
      return `${r.key} ${r.operator === 'In' ? 'in' : 'notin'} (${r.values.join(', ')})`;
    }),
  ];
  return parts.length ? parts.join(', ') : '{}';
}

/**
 * Reads a label selector (a YAML value) as the API server would accept it, with a problem per invalid field.
 * `null` is the empty selector here; callers for which null means "absent" check that first.
 */
export function parseLabelSelector(raw: unknown, path: FieldPath): { selector?: LabelSelector; problems: Problem[] } {
  if (raw === null || raw === undefined) return { selector: EVERYTHING, problems: [] };
  if (!isRecord(raw)) return { problems: [{ path, message: `expected a label selector (matchLabels, matchExpressions), got ${describeValue(raw)}` }] };
  const problems: Problem[] = unknownFields(raw, ['matchLabels', 'matchExpressions'], path);
  const matchLabels: Record<string, string> = {};
  const rawLabels = raw['matchLabels'];
  if (isRecord(rawLabels)) {
    for (const [key, value] of Object.entries(rawLabels)) {
      const keyProblem = labelKeyProblem(key);
      if (keyProblem) problems.push({ path: [...path, 'matchLabels', key], message: keyProblem });
      if (typeof value !== 'string') {
        problems.push({ path: [...path, 'matchLabels', key], message: `expected a string label value, got ${describeValue(value)}${quoteHint(value)}` });
        continue;
      }
      const valueProblem = labelValueProblem(value);
      if (valueProblem) problems.push({ path: [...path, 'matchLabels', key], message: valueProblem });
      matchLabels[key] = value;
    }
  } else if (rawLabels !== undefined && rawLabels !== null) {
    problems.push({ path: [...path, 'matchLabels'], message: `expected a map of label key to value, got ${describeValue(rawLabels)}` });
  }
  const matchExpressions: SelectorRequirement[] = [];
  const rawExpressions = raw['matchExpressions'];
  if (Array.isArray(rawExpressions)) {
    rawExpressions.forEach((e, i) => {
      const at: FieldPath = [...path, 'matchExpressions', i];
      const parsed = parseRequirement(e, at);
      problems.push(...parsed.problems);
      if (parsed.requirement) matchExpressions.push(parsed.requirement);
    });
  } else if (rawExpressions !== undefined && rawExpressions !== null) {
    problems.push({ path: [...path, 'matchExpressions'], message: `expected a list of {key, operator, values}, got ${describeValue(rawExpressions)}` });
  }
  return problems.length ? { problems } : { selector: { matchLabels, matchExpressions }, problems };
}

function parseRequirement(raw: unknown, path: FieldPath): { requirement?: SelectorRequirement; problems: Problem[] } {
  if (!isRecord(raw)) return { problems: [{ path, message: `expected {key, operator, values}, got ${describeValue(raw)}` }] };
  const problems: Problem[] = unknownFields(raw, ['key', 'operator', 'values'], path);
  const key = raw['key'];
  const operator = raw['operator'];
  const values = raw['values'];
  if (typeof key !== 'string') problems.push({ path: [...path, 'key'], message: key === undefined ? 'missing required field "key"' : `expected a label key, got ${describeValue(key)}` });
  else {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) problems.push({ path: [...path, 'key'], message: keyProblem });
  }
  if (typeof operator !== 'string' || !(SELECTOR_OPERATORS as readonly string[]).includes(operator)) {
    problems.push({
      path: [...path, 'operator'],
      message: operator === undefined ? `missing required field "operator" (${SELECTOR_OPERATORS.join(', ')})` : `unknown operator ${JSON.stringify(operator)}; valid operators: ${SELECTOR_OPERATORS.join(', ')}`,
    });
  }
  const list: string[] = [];
  if (Array.isArray(values)) {
    values.forEach((v, i) => {
      if (typeof v !== 'string') problems.push({ path: [...path, 'values', i], message: `expected a string label value, got ${describeValue(v)}${quoteHint(v)}` });
      else {
        const valueProblem = labelValueProblem(v);
        if (valueProblem) problems.push({ path: [...path, 'values', i], message: valueProblem });
        list.push(v);
      }
    });
  } else if (values !== undefined && values !== null) {
    problems.push({ path: [...path, 'values'], message: `expected a list of label values, got ${describeValue(values)}` });
  }
  if (operator === 'In' || operator === 'NotIn') {
    if (!Array.isArray(values)) problems.push({ path, message: `operator ${operator} needs "values" (at least one)` });
    else if (values.length === 0) problems.push({ path: [...path, 'values'], message: `operator ${operator} needs at least one value` });
  }
  if ((operator === 'Exists' || operator === 'DoesNotExist') && Array.isArray(values) && values.length > 0) {
    problems.push({ path: [...path, 'values'], message: `operator ${operator} takes no values` });
  }
  if (problems.length) return { problems };
  return { requirement: { key: key as string, operator: operator as SelectorOperator, values: list }, problems };
}

function quoteHint(value: unknown): string {
  return typeof value === 'number' || typeof value === 'boolean' ? ` (YAML read it as a ${typeof value}; quote it: "${String(value)}")` : '';
}
