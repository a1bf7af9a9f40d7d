import { expect } from 'chai';
import { formatDiagnostic } from '../../../harness/load/diagnostic.js';
import { SchemaValidator } from '../../../harness/load/schemaValidator.js';
import { parseYamlFile } from '../../../harness/load/yamlFile.js';

// Each JSON Schema failure becomes one located message in words a user can act on. A validator and a schema of its
// own in each `it` (the loader's shared validator is compiled once per process, which would hide a mutant of the
// constructor from every test but the first).

const OBJECT = { type: 'object' } as const;

/** Every diagnostic of `yaml` (one document, file f.yaml) against `schema`, as `line:col: path: message`. */
function check(schema: object, yaml: string, hints?: ConstructorParameters<typeof SchemaValidator>[0]): string[] {
  const parsed = parseYamlFile('f.yaml', yaml);
  expect(parsed.errors).to.deep.equal([]);
  const doc = parsed.documents[0]!;
  return new SchemaValidator(hints).validate(doc, schema, doc.value).map((d) => formatDiagnostic(d).replace(/^f\.yaml:/, ''));
}

describe('schema validator: one located message per failure', () => {
  it('unknown fields: a did-you-mean when one is close, else the known fields, or none taken', () => {
    const schema = { ...OBJECT, properties: { podSubnet: { type: 'string' }, workers: { type: 'integer' } }, additionalProperties: false };
    expect(check(schema, 'podSubnt: x\nfoo: 1\n')).to.deep.equal([
      '1:1: podSubnt: unknown field "podSubnt" (did you mean "podSubnet"?)',
      '2:1: foo: unknown field "foo"; known fields: podSubnet, workers',
    ]);
    expect(check({ ...OBJECT, additionalProperties: false }, 'a: 1\n')).to.deep.equal(['1:1: a: unknown field "a"; this object takes no fields']);
  });

  it('every failure of a document, not only the first', () => {
    const schema = { ...OBJECT, required: ['a', 'b'], properties: { a: { type: 'string' }, b: { type: 'string' } } };
    expect(check(schema, 'c: 1\n')).to.deep.equal(['1:1: missing required field "a"', '1:1: missing required field "b"']);
  });

  it('wrong types, with the obvious fix when there is one', () => {
    const schema = {
      ...OBJECT,
      properties: {
        port: { type: 'integer' },
        ratio: { type: 'number' },
        name: { type: 'string' },
        version: { type: 'string' },
        timeout: { type: 'string', format: 'duration' },
        list: { type: 'string' },
        map: { type: 'string' },
        nothing: { type: 'string' },
        blank: { type: 'integer' },
        word: { type: 'integer' },
      },
    };
    const yaml = ['port: "8080"', 'ratio: " 0.5 "', 'name: 0123', 'version: 1.10', 'timeout: 5', 'list: [a]', 'map: {a: 1}', 'nothing: null', 'blank: " "', 'word: "x1"', ''].join('\n');
    expect(check(schema, yaml)).to.deep.equal([
      '1:7: port: expected integer, got string "8080" (remove the quotes: 8080)',
      '2:8: ratio: expected number, got string " 0.5 " (remove the quotes: 0.5)',
      '3:7: name: expected string, got number 123 (YAML read 0123 as a number; quote it: "0123")',
      '4:10: version: expected string, got number 1.1 (YAML read 1.10 as a number; quote it: "1.10")',
      '5:10: timeout: expected string, got number 5 (did you mean "5s"? a duration needs a unit: ms, s, m or h)',
      '6:7: list: expected string, got array',
      '7:6: map: expected string, got object',
      '8:10: nothing: expected string, got null',
      '9:8: blank: expected integer, got string " "',
      '10:7: word: expected integer, got string "x1"',
    ]);
    expect(check({ ...OBJECT, properties: { on: { type: 'string' } } }, 'on: true\n')).to.deep.equal(['1:5: on: expected string, got boolean true (YAML read true as a boolean; quote it: "true")']);
  });

  it('enum and const: the allowed values, with the hint the loader gives for that field', () => {
    const schema = { ...OBJECT, properties: { cni: { enum: ['kindnet', 'calico'] }, kind: { const: 'Topology' } } };
    const hints = (path: readonly (string | number)[], value: unknown) => (path[0] === 'cni' ? `"${String(value)}" is not a CNI kconn knows` : undefined);
    expect(check(schema, 'cni: flannel2\nkind: Topolgy\n', hints)).to.deep.equal([
      '1:6: cni: unknown value "flannel2"; "flannel2" is not a CNI kconn knows; valid values: kindnet, calico',
      '2:7: kind: unknown value "Topolgy"; must be "Topology"',
    ]);
    expect(check(schema, 'cni: 5\n')).to.deep.equal(['1:6: cni: unknown value 5; valid values: kindnet, calico']);
  });

  it("formats: the format check's own message", () => {
    const schema = { ...OBJECT, properties: { subnet: { type: 'string', format: 'cidr' } } };
    expect(check(schema, 'subnet: 10.0.0.1/8\n')).to.deep.equal(['1:9: subnet: invalid CIDR "10.0.0.1/8": has host bits set; did you mean 10.0.0.0/8?']);
  });

  it('counts and ranges', () => {
    const schema = {
      ...OBJECT,
      properties: {
        one: { type: 'array', minItems: 1 },
        two: { type: 'array', minItems: 2 },
        port: { type: 'integer', minimum: 1, maximum: 65535 },
        low: { type: 'integer', minimum: 1 },
        names: { type: 'array', uniqueItems: true },
        text: { type: 'string', minLength: 1 },
        few: { type: 'array', maxItems: 1 },
      },
    };
    expect(check(schema, 'one: []\ntwo: [a]\nport: 70000\nlow: 0\nnames: [a, b, a]\ntext: ""\nfew: [a, b]\n')).to.deep.equal([
      '1:6: one: must have at least 1 item',
      '2:6: two: must have at least 2 items',
      '3:7: port: 70000 is out of range: must be <= 65535',
      '4:6: low: 0 is out of range: must be >= 1',
      '5:8: names: duplicate entries (items 0 and 2)',
      '6:7: text: must not be empty',
      '7:6: few: must NOT have more than 1 items',
    ]);
  });

  it('patterns: the description when the schema gives one, else the pattern', () => {
    const schema = { ...OBJECT, properties: { a: { type: 'string', pattern: '^x+$', description: 'one or more x' }, b: { type: 'string', pattern: '^y+$' } } };
    expect(check(schema, 'a: xy\nb: yx\n')).to.deep.equal(['1:4: a: invalid value "xy": must be one or more x', '2:4: b: invalid value "yx": must match ^y+$']);
  });

  it('an if/then failure is reported by its branch only; list indexes and escaped keys find their place', () => {
    const schema = {
      ...OBJECT,
      properties: {
        items: { type: 'array', items: { ...OBJECT, properties: { 'a/b': { type: 'string' }, 'c~d': { type: 'string' } } } },
        mode: { type: 'string' },
        port: { type: 'integer' },
      },
      if: { properties: { mode: { const: 'tcp' } } },
      then: { properties: { port: { type: 'integer' } }, required: ['port'] },
    };
    expect(check(schema, 'items:\n  - {}\n  - {a/b: 1, c~d: 2}\nmode: tcp\n')).to.deep.equal([
      '1:1: missing required field "port"',
      '3:11: items[1].a/b: expected string, got number 1 (YAML read 1 as a number; quote it: "1")',
      '3:19: items[1].c~d: expected string, got number 2 (YAML read 2 as a number; quote it: "2")',
    ]);
  });

  it('the same message at the same place is given once', () => {
    const schema = { ...OBJECT, properties: { a: { type: 'string', anyOf: [{ minLength: 2 }, { minLength: 3 }] } } };
    const lines = check(schema, 'a: ""\n');
    expect(lines.filter((l) => l === '1:4: a: must not be empty')).to.have.length(1);
  });
});
