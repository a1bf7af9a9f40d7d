/** The building blocks of kconn's JSON Schemas (draft-07): shared by the topology and the suite schema. */
export const API_VERSION = 'kconn.dev/v1alpha1';

export type Schema = Record<string, unknown>;

export const strictObject = (properties: Schema, required: string[] = [], description?: string): Schema => ({
  type: 'object',
  additionalProperties: false,
  ...(description ? { description } : {}),
  ...(required.length ? { required } : {}),
  properties,
});

export const dnsLabel: Schema = { type: 'string', format: 'dns1123-label', description: 'DNS-1123 label: a-z, 0-9 and -, at most 63 characters' };
export const version: Schema = { type: 'string', pattern: '^v?\\d+\\.\\d+\\.\\d+([-.+][0-9A-Za-z.-]+)?$', description: 'an exact version such as v3.32.1 or 1.19.7 (never latest)' };
export const port: Schema = { type: 'integer', minimum: 1, maximum: 65535 };

export const envelope = (kind: string, spec: Schema, description: string): Schema => ({
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: `https://kconn.dev/schema/${kind.toLowerCase()}.v1alpha1.json`,
  title: `kconn ${kind}`,
  description,
  ...strictObject(
    {
      apiVersion: { const: API_VERSION },
      kind: { const: kind },
      metadata: strictObject(
        { name: dnsLabel, description: { type: 'string' }, labels: { type: 'object', additionalProperties: { type: 'string' } } },
        ['name'],
      ),
      spec,
    },
    ['apiVersion', 'kind', 'metadata', 'spec'],
  ),
});

export const runNamespaceNote = "default: the run's own namespace (kconn-<run-id>), where manifest objects that name none are applied";
