import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { closestName } from './closestName.js';
import type { Diagnostic } from './diagnostic.js';
import { FORMATS } from '../model/formats.js';
import type { FieldPath, YamlDocument } from './yamlFile.js';

/** Validates plain values against a JSON Schema and turns every failure into a Diagnostic at the right line. */
export class SchemaValidator {
  private readonly ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
  private readonly compiled = new Map<object, ValidateFunction>();

  constructor(private readonly hints: (path: FieldPath, value: unknown) => string | undefined = () => undefined) {
    for (const [name, check] of Object.entries(FORMATS)) {
      this.ajv.addFormat(name, { type: 'string', validate: (v: string) => check(v) === undefined });
    }
  }

  /** Diagnostics for `value` (found at `base` inside `doc`) against `schema`. */
  validate(doc: YamlDocument, schema: object, value: unknown, base: FieldPath = []): Diagnostic[] {
    let fn = this.compiled.get(schema);
    if (!fn) {
      fn = this.ajv.compile(schema);
      this.compiled.set(schema, fn);
    }
    if (fn(value)) return [];
    const out: Diagnostic[] = [];
    for (const err of fn.errors ?? []) {
      const d = this.toDiagnostic(doc, err, base);
      if (d && !out.some((o) => o.line === d.line && o.col === d.col && o.message === d.message)) out.push(d);
    }
    return out;
  }

  private toDiagnostic(doc: YamlDocument, err: ErrorObject, base: FieldPath): Diagnostic | undefined {
    const path: (string | number)[] = [...base, ...pointerToPath(err.instancePath)];
    const value = err.data;
    const p = err.params as Record<string, unknown>;
    switch (err.keyword) {
      case 'if':
        return undefined; // the failing then/else branch reports the real problem
      case 'additionalProperties': {
        const field = String(p['additionalProperty']);
        const known = Object.keys((err.parentSchema as { properties?: object } | undefined)?.properties ?? {});
        const suggestion = closestName(field, known);
        const list = known.length ? `; known fields: ${known.join(', ')}` : '; this object takes no fields';
        return doc.diagnostic([...path, field], `unknown field "${field}"${suggestion ? ` (did you mean "${suggestion}"?)` : list}`, {
          key: true,
        });
      }
      case 'required':
        return doc.diagnostic(path, `missing required field "${String(p['missingProperty'])}"`);
      case 'type': {
        const hint = typeHint(String(p['type']), value, err.parentSchema as { format?: string } | undefined, () => doc.sourceText(path));
        return doc.diagnostic(path, `expected ${String(p['type'])}, got ${describe(value)}${hint ? ` (${hint})` : ''}`);
      }
      case 'enum':
      case 'const': {
        const allowed = (err.keyword === 'enum' ? (p['allowedValues'] as unknown[]) : [p['allowedValue']]).map(String);
        const hint = this.hints(path, value);
        const what = err.keyword === 'const' ? `must be "${allowed[0]}"` : `valid values: ${allowed.join(', ')}`;
        return doc.diagnostic(path, `unknown value ${JSON.stringify(value)}; ${hint ? `${hint}; ` : ''}${what}`);
      }
      case 'format': {
        const check = FORMATS[String(p['format'])];
        return doc.diagnostic(path, (check && typeof value === 'string' && check(value)) || `invalid ${String(p['format'])}`);
      }
      case 'minItems':
        return doc.diagnostic(path, `must have at least ${String(p['limit'])} item${p['limit'] === 1 ? '' : 's'}`);
      case 'minimum':
      case 'maximum':
        return doc.diagnostic(path, `${JSON.stringify(value)} is out of range: must be ${String(p['comparison'])} ${String(p['limit'])}`);
      case 'uniqueItems':
        return doc.diagnostic(path, `duplicate entries (items ${String(p['j'])} and ${String(p['i'])})`);
      case 'pattern': {
        const described = (err.parentSchema as { description?: string } | undefined)?.description;
        return doc.diagnostic(path, `invalid value ${JSON.stringify(value)}: ${described ? `must be ${described}` : `must match ${String(p['pattern'])}`}`);
      }
      case 'minLength':
        return doc.diagnostic(path, 'must not be empty');
      case 'minProperties':
      case 'maxProperties': {
        // An object that takes one of several fields (a test action): name them.
        const known = Object.keys((err.parentSchema as { properties?: object } | undefined)?.properties ?? {});
        const limit = Number(p['limit']);
        const count = value && typeof value === 'object' ? Object.keys(value).length : 0;
        const fields = known.length ? ` (${known.join(' or ')})` : '';
        if (limit === 1) return doc.diagnostic(path, err.keyword === 'maxProperties' ? `give one field${fields} per item, not ${count}` : `needs a field${fields}`);
        return doc.diagnostic(path, `needs ${err.keyword === 'minProperties' ? 'at least' : 'at most'} ${limit} fields${fields}`);
      }
      default:
        return doc.diagnostic(path, err.message ?? `failed ${err.keyword}`);
    }
  }
}

/** The obvious fix of a value of the wrong type, when there is one. */
function typeHint(expected: string, value: unknown, schema: { format?: string } | undefined, source: () => string | undefined): string | undefined {
  if ((expected === 'integer' || expected === 'number') && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    return `remove the quotes: ${value.trim()}`;
  }
  if (expected !== 'string' || (typeof value !== 'number' && typeof value !== 'boolean')) return undefined;
  if (schema?.format === 'duration' && typeof value === 'number') return `did you mean "${value}s"? a duration needs a unit: ms, s, m or h`;
  const written = source() ?? String(value);
  return `YAML read ${written} as a ${typeof value}; quote it: "${written}"`;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
