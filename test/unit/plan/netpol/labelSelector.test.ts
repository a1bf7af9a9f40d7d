import { expect } from 'chai';
import { describeSelector, parseLabelSelector, selectorMatches } from '../../../../harness/plan/netpol/labelSelector.js';
import { labelKeyProblem, labelValueProblem } from '../../../../harness/plan/netpol/labels.js';

const sel = (raw: unknown) => {
  const { selector, problems } = parseLabelSelector(raw, ['s']);
  if (!selector) throw new Error(problems.map((p) => p.message).join('; '));
  return selector;
};

describe('netpol label selectors: matching', () => {
  const labels = { app: 'web', tier: 'front' };
  const cases: [string, unknown, Record<string, string>, boolean][] = [
    ['empty selector matches everything', {}, labels, true],
    ['null selector is the empty selector', null, {}, true],
    ['matchLabels: every pair must hold', { matchLabels: { app: 'web', tier: 'front' } }, labels, true],
    ['matchLabels: one pair wrong', { matchLabels: { app: 'web', tier: 'back' } }, labels, false],
    ['matchLabels: key missing', { matchLabels: { zone: 'a' } }, labels, false],
    ['matchLabels: empty value needs the key with an empty value', { matchLabels: { zone: '' } }, labels, false],
    ['matchLabels: empty value present', { matchLabels: { zone: '' } }, { zone: '' }, true],
    ['In: value listed', { matchExpressions: [{ key: 'app', operator: 'In', values: ['db', 'web'] }] }, labels, true],
    ['In: value not listed', { matchExpressions: [{ key: 'app', operator: 'In', values: ['db'] }] }, labels, false],
    ['In: key missing', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, labels, false],
    ['NotIn: value listed', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, labels, false],
    ['NotIn: value not listed', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db'] }] }, labels, true],
    ['NotIn: key missing matches', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, labels, true],
    ['Exists: present', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, labels, true],
    ['Exists: missing', { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, labels, false],
    ['DoesNotExist: missing', { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, labels, true],
    ['DoesNotExist: present', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist', values: [] }] }, labels, false],
    ['matchLabels AND matchExpressions: both hold', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] }, labels, true],
    ['matchLabels AND matchExpressions: expression fails', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels, false],
    ['matchLabels AND matchExpressions: label fails', { matchLabels: { app: 'db' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, labels, false],
    ['two expressions are AND-ed', { matchExpressions: [{ key: 'app', operator: 'Exists' }, { key: 'zone', operator: 'Exists' }] }, labels, false],
    ['a label named like an object property is just a label', { matchLabels: { constructor: 'x' } }, {}, false],
  ];
  for (const [name, raw, l, want] of cases) {
    it(name, () => expect(selectorMatches(sel(raw), l)).to.equal(want));
  }

  it('describes a selector the way kubectl writes one', () => {
    expect(describeSelector(sel({}))).to.equal('{}');
    expect(describeSelector(sel({ matchLabels: { a: 'b' }, matchExpressions: [{ key: 'c', operator: 'In', values: ['d', 'e'] }, { key: 'f', operator: 'NotIn', values: ['g'] }, { key: 'h', operator: 'Exists' }, { key: 'i', operator: 'DoesNotExist' }] }))).to.equal(
      'a=b, c in (d, e), f notin (g), h, !i',
    );
  });
});

describe('netpol label selectors: what the API server refuses', () => {
  const cases: [string, unknown, string[]][] = [
    ['a label key with two slashes', { matchLabels: { 'a/b/c': 'x' } }, ['s.matchLabels.a/b/c: invalid label key "a/b/c"']],
    ['a label key with a space', { matchLabels: { 'my app': 'x' } }, ['s.matchLabels.my app: invalid label key "my app"']],
    ['an uppercase prefix', { matchLabels: { 'Example.com/app': 'x' } }, ['the prefix must be a DNS subdomain']],
    ['a name part of 64 characters', { matchLabels: { [`a${'b'.repeat(63)}`]: 'x' } }, ['the name part is 64 characters']],
    ['a label value with a slash', { matchLabels: { app: 'a/b' } }, ['s.matchLabels.app: invalid label value "a/b"']],
    ['a number as a label value', { matchLabels: { version: 2 } }, ['expected a string label value, got number 2 (YAML read it as a number; quote it: "2")']],
    ['In without values', { matchExpressions: [{ key: 'a', operator: 'In' }] }, ['s.matchExpressions.0: operator In needs "values"']],
    ['NotIn with an empty list', { matchExpressions: [{ key: 'a', operator: 'NotIn', values: [] }] }, ['s.matchExpressions.0.values: operator NotIn needs at least one value']],
    ['Exists with values', { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['b'] }] }, ['s.matchExpressions.0.values: operator Exists takes no values']],
    ['an unknown operator', { matchExpressions: [{ key: 'a', operator: 'in', values: ['b'] }] }, ['unknown operator "in"; valid operators: In, NotIn, Exists, DoesNotExist']],
    ['a missing key', { matchExpressions: [{ operator: 'Exists' }] }, ['s.matchExpressions.0.key: missing required field "key"']],
    ['an invalid value in a set', { matchExpressions: [{ key: 'a', operator: 'In', values: ['-x'] }] }, ['s.matchExpressions.0.values.0: invalid label value "-x"']],
    ['a misspelt field', { matchLabel: { a: 'b' } }, ['s.matchLabel: unknown field "matchLabel"; known fields: matchLabels, matchExpressions']],
    ['not a map', 'app=web', ['expected a label selector (matchLabels, matchExpressions), got string "app=web"']],
  ];
  for (const [name, raw, wanted] of cases) {
    it(name, () => {
      const { selector, problems } = parseLabelSelector(raw, ['s']);
      expect(selector, 'no selector from invalid input').to.equal(undefined);
      const shown = problems.map((p) => `${p.path.join('.')}: ${p.message}`);
      for (const w of wanted) expect(shown.some((s) => s.includes(w)), `${w} in ${JSON.stringify(shown)}`).to.equal(true);
    });
  }

  it('label syntax: valid keys and values pass', () => {
    for (const key of ['app', 'kubernetes.io/metadata.name', 'a.b-c_d', 'example.com/X_y.z']) expect(labelKeyProblem(key), key).to.equal(undefined);
    for (const value of ['', 'web', 'A-1_b.c', 'x'.repeat(63)]) expect(labelValueProblem(value), value).to.equal(undefined);
    expect(labelValueProblem('x'.repeat(64))).to.include('64 characters');
    expect(labelKeyProblem('/app')).to.include('prefix before "/" is empty');
  });
});
