import { KNOWN_DIFFERENCES } from '../cni/knownDifferences.js';
import { CAPABILITIES } from '../model/capability.js';
import { CERTIFICATE_EXPECTS, CLIENT_ADDRESSES, DNS_RECORD_TYPES, EXTERNAL_NAME, NODE_CHOICES, OBJECT_EXPECTS, PROTOCOLS, TLS_CAS, TRANSPORT_PROTOCOLS } from '../model/suite.js';
import { dnsLabel, envelope, port, runNamespaceNote, strictObject, type Schema } from './schemaParts.js';
import { topologySchema } from './topologySchema.js';

/**
 * JSON Schemas (draft-07) of the kconn file kinds. The loader validates with these exact objects, and
 * `npm run schema` writes them to schema/ for editors (yaml-language-server), so the two never drift.
 * Custom `format`s are checked by the loader with precise messages; editors ignore formats they do not know.
 */
const sourceSelector = strictObject(
  { cluster: dnsLabel, namespace: { ...dnsLabel, description: runNamespaceNote }, selector: { type: 'string', format: 'label-selector' } },
  ['selector'],
);

/** How backends are grouped when answers are tallied (see AnswerSpread): pod, cluster or label:<key>. */
export const GROUPING_PATTERN = '^(pod|cluster|label:([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$';
const grouping = (description: string): Schema => ({ type: 'string', pattern: GROUPING_PATTERN, description });

/** The largest `requests` of one test: every request is a process in the source pod. */
export const MAX_REQUESTS = 1000;

const answeredBy: Schema = strictObject(
  {
    every: grouping('pod, cluster or label:<key>: every one among the target\'s ready backends answers at least once'),
    one: grouping('pod, cluster or label:<key>: a single one answers every request of a source (sessionAffinity: ClientIP); needs two or more among the ready backends'),
    by: grouping('with shares: what a share is of (pod, cluster or label:<key>)'),
    shares: {
      type: 'object',
      minProperties: 1,
      description: 'group -> expected percent of the answers (they add up to 100); each count must be within the binomial tolerance',
      additionalProperties: { type: 'number', minimum: 0, maximum: 100 },
    },
    confidence: { type: 'number', exclusiveMinimum: 0.5, exclusiveMaximum: 1, description: 'two-sided confidence of the binomial tolerance of shares; default 0.999' },
    clusters: { type: 'array', items: dnsLabel, minItems: 1, uniqueItems: true, description: "clusters whose pods behind the target are its backends; default the target's own" },
    backends: strictObject(
      { namespace: { ...dnsLabel, description: runNamespaceNote }, selector: { type: 'string', format: 'label-selector' } },
      ['selector'],
      'the pods whose answers are counted when the target is a proxy in front of them (a gateway, an Ingress controller): the ready ones the selector matches; default the pods behind the target',
    ),
  },
  [],
  'how the answers of `requests` requests spread over the backends of the target (each answer names its backend, e.g. path /hostname)',
);

const labelMap = (description: string): Schema => ({ type: 'object', additionalProperties: { type: 'string' }, description });

const truthTable: Schema = strictObject(
  {
    namespaces: {
      type: 'object',
      description: 'namespace name -> its labels and pods; a run creates <run-namespace>-<name> (see README, Truth tables)',
      additionalProperties: strictObject(
        {
          labels: labelMap('namespace labels (kubernetes.io/metadata.name is set by the API server)'),
          pods: { type: 'object', description: 'pod name -> pod labels', additionalProperties: labelMap('pod labels') },
          ips: { type: 'object', description: 'pod name -> its IP, for ipBlock peers (a pod without one matches no ipBlock)', additionalProperties: { type: 'string' } },
        },
        ['pods'],
      ),
    },
    ports: {
      type: 'array',
      minItems: 1,
      description: 'every pod serves every port, named serve-<port>-<protocol> (lowercase)',
      items: strictObject({ port, protocol: { enum: [...TRANSPORT_PROTOCOLS], default: 'TCP' } }, ['port']),
    },
    policies: { type: 'array', description: 'files of NetworkPolicy objects, relative to this file', items: { type: 'string', minLength: 1 } },
  },
  ['namespaces', 'ports'],
  'a grid of pods whose expected reachability kconn computes from the policies (kconn expect prints it)',
);

export const suiteSchema: Schema = envelope(
  'Suite',
  strictObject(
    {
      requires: { type: 'array', items: { enum: [...CAPABILITIES] }, uniqueItems: true },
      manifests: {
        type: 'array',
        items: strictObject({ path: { type: 'string', minLength: 1 }, clusters: { type: 'array', items: dnsLabel, minItems: 1 } }, ['path']),
      },
      certificates: {
        type: 'array',
        minItems: 1,
        description: "TLS Secrets (kubernetes.io/tls) of the run's CA, applied before the manifests: for Gateway listeners and Ingresses to serve",
        items: strictObject(
          {
            secret: { type: 'string', format: 'namespaced-name', description: `the Secret: namespace/name or name (${runNamespaceNote})` },
            names: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', format: 'dns-name' }, description: 'the DNS names the certificate holds (subjectAltNames)' },
            expired: { type: 'boolean', description: 'issue it already expired (valid for one day, ending a day before the run): for a test that expects certificate: expired' },
          },
          ['secret', 'names'],
        ),
      },
      defaults: strictObject({
        timeout: { type: 'string', format: 'duration' },
        attempts: { type: 'integer', minimum: 1, maximum: 100 },
      }),
      tests: {
        type: 'array',
        minItems: 1,
        items: strictObject(
          {
            name: { type: 'string', minLength: 1 },
            from: sourceSelector,
            to: strictObject(
              {
                cluster: dnsLabel,
                service: { type: 'string', format: 'namespaced-name', description: `namespace/name, or name (${runNamespaceNote})` },
                nodePort: {
                  type: 'string',
                  format: 'namespaced-name',
                  description: `a Service (namespace/name or name) reached on its nodePort of "port" at node addresses (${runNamespaceNote})`,
                },
                nodes: { enum: [...NODE_CHOICES], description: 'with nodePort: every node (all, the default), or the nodes with (without) a ready endpoint of the Service' },
                pod: strictObject(
                  {
                    namespace: { ...dnsLabel, description: runNamespaceNote },
                    selector: { type: 'string', format: 'label-selector' },
                    notReady: { const: true, description: 'the running pods whose readiness probe has not passed, instead of the ready ones (e.g. the control that a not-ready backend would answer)' },
                  },
                  ['selector'],
                ),
                host: { type: 'string', format: 'host' },
                external: { const: true, description: `the run's external endpoint by its address (by name: host: ${EXTERNAL_NAME})` },
                port,
                path: { type: 'string', pattern: '^/[^\\s]*$', description: 'HTTP(S) path, default /' },
                hostname: {
                  type: 'string',
                  format: 'dns-name',
                  description: "HTTP(S): the name the request asks for (TLS SNI and Host header) while it connects to the target's address: a gateway's or an Ingress's virtual host",
                },
              },
              [],
              'exactly one of service, nodePort, pod, host or external',
            ),
            protocol: { enum: [...PROTOCOLS] },
            tls: strictObject(
              { ca: { enum: [...TLS_CAS], description: "run: the CA kconn makes for the run's external endpoint" } },
              ['ca'],
              'https only: verify the server certificate (name or IP included) against this CA instead of skipping verification',
            ),
            dns: strictObject(
              {
                name: { type: 'string', format: 'dns-name' },
                type: { enum: [...DNS_RECORD_TYPES] },
                podOf: strictObject(
                  { namespace: { ...dnsLabel, description: runNamespaceNote }, selector: { type: 'string', format: 'label-selector' } },
                  ['selector'],
                  "each ready pod's own A record, <ip-with-dashes>.<namespace>.pod.cluster.local, must resolve to its IP",
                ),
              },
              [],
              'name, or podOf',
            ),
            expect: {
              if: { type: 'string' },
              then: { enum: ['reachable', 'blocked', 'refused', 'resolves', 'nxdomain'] },
              else: strictObject({
                reachable: { type: 'boolean' },
                refused: { type: 'boolean' },
                http: strictObject({ status: { type: 'integer', minimum: 100, maximum: 599 }, bodyContains: { type: 'string' } }),
                clientAddress: {
                  enum: [...CLIENT_ADDRESSES],
                  description: "kept: the server saw the source's own IP as the client's; replaced: another (SNAT). The answer must be the client address the server saw, e.g. agnhost's path /clientip",
                },
                certificate: {
                  enum: [...CERTIFICATE_EXPECTS],
                  description: "with tls: {ca}: verified (the default); rejected: the server's certificate does not verify against the CA (a wrong name, another issuer, expired); expired: it does not because its validity has ended, as the client says",
                },
                resolves: { type: 'boolean' },
                addresses: { type: 'array', items: { type: 'string' } },
                answeredBy,
              }),
            },
            timeout: { type: 'string', format: 'duration' },
            attempts: { type: 'integer', minimum: 1, maximum: 100 },
            before: {
              type: 'array',
              minItems: 1,
              description: 'actions before the probes; the test then runs after the suite\'s other tests, in file order, and its changes stay',
              items: {
                ...strictObject(
                  {
                    scale: strictObject(
                      {
                        cluster: { ...dnsLabel, description: 'default: every cluster the suite applies the Deployment to' },
                        deployment: { type: 'string', format: 'namespaced-name', description: `a Deployment of the suite's manifests: namespace/name or name (${runNamespaceNote})` },
                        replicas: { type: 'integer', minimum: 0, maximum: 100 },
                      },
                      ['deployment', 'replicas'],
                      'set the Deployment\'s replicas and wait until exactly that many of its pods run',
                    ),
                    endpointSlice: strictObject(
                      {
                        cluster: { ...dnsLabel, description: 'default: every cluster the suite applies the Service to' },
                        service: { type: 'string', format: 'namespaced-name', description: `a Service without a selector, of the suite's manifests: namespace/name or name (${runNamespaceNote})` },
                        pods: { type: 'string', format: 'label-selector', description: "the ready pods (in the Service's namespace) whose addresses become its endpoints" },
                      },
                      ['service', 'pods'],
                      "write the Service's EndpointSlice: one ready endpoint per matching pod, on the Service's ports (numeric targetPorts)",
                    ),
                  },
                  [],
                  'one action: scale or endpointSlice',
                ),
                // One action per item, so their order is the file's.
                minProperties: 1,
                maxProperties: 1,
              },
            },
            requests: { type: 'integer', minimum: 1, maximum: MAX_REQUESTS, description: 'requests each source sends to each target address, each a new connection (with expect.answeredBy)' },
          },
          ['name', 'from', 'expect'],
        ),
      },
      truthTable,
      objects: {
        type: 'array',
        minItems: 1,
        description: 'API objects that must exist (polled until they do) or must not, e.g. the ServiceImport of an exported Service',
        items: strictObject(
          {
            name: { type: 'string', minLength: 1 },
            cluster: { ...dnsLabel, description: 'the cluster to look in; default: each cluster of the topology' },
            object: strictObject(
              {
                apiVersion: { type: 'string', pattern: '^([a-z0-9.-]+/)?v[0-9]+((alpha|beta)[0-9]+)?$', description: 'e.g. v1 or multicluster.x-k8s.io/v1alpha1' },
                kind: { type: 'string', pattern: '^[A-Z][A-Za-z0-9]*$', description: 'a kind as the API spells it, e.g. ServiceImport' },
                namespace: { ...dnsLabel, description: 'absent: a cluster-scoped object' },
                name: { type: 'string', minLength: 1, maxLength: 253 },
              },
              ['apiVersion', 'kind', 'name'],
            ),
            expect: { enum: [...OBJECT_EXPECTS] },
            timeout: { type: 'string', format: 'duration', description: 'how long "exists" waits for the object; default 2m' },
          },
          ['name', 'object', 'expect'],
        ),
      },
      dependsOn: {
        type: 'array',
        items: {
          description: 'a known difference id (every test of the suite), or {difference, tests} for some tests or truth-table cells only',
          if: { type: 'string' },
          then: { enum: KNOWN_DIFFERENCES.map((d) => d.id) },
          else: strictObject(
            {
              difference: { enum: KNOWN_DIFFERENCES.map((d) => d.id) },
              tests: {
                type: 'array',
                minItems: 1,
                uniqueItems: true,
                items: { type: 'string', minLength: 1 },
                description: 'test names, or truth-table cells as reported: "<ns>/<pod> -> <ns>/<pod> <port>/<PROTOCOL>"',
              },
            },
            ['difference', 'tests'],
          ),
        },
        minItems: 1,
        description: 'known differences (kconn cnis) the results depend on: a test that fails where one holds for the CNI version is an expected difference',
      },
    },
    [],
    'a suite has tests, a truthTable, objects, or any of them together',
  ),
  'connectivity and DNS tests run from pods of the clusters of a topology',
);

export const SCHEMAS: Readonly<Record<string, Schema>> = { Topology: topologySchema, Suite: suiteSchema };
