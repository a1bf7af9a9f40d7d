import type { Capability } from './capability.js';
import type { DifferenceDependency } from './differenceDependency.js';
import type { AnswerSpread } from './answerSpread.js';
import type { SourceRef } from './source.js';
import type { TestAction } from './testAction.js';

export const PROTOCOLS = ['tcp', 'udp', 'http', 'https', 'icmp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const DNS_RECORD_TYPES = ['A', 'AAAA', 'SRV'] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];

/** Where a probe runs: every pod matching the selector, in one cluster. */
export interface SourceSelector {
  readonly cluster?: string;
  /** Absent: the run's own namespace, where manifest objects that name no namespace are applied. */
  readonly namespace?: string;
  readonly selector: string;
}

interface TargetBase {
  readonly port?: number;
  /** HTTP(S) path; default `/`. `/hostname` makes agnhost-style servers name the backend that answered. */
  readonly path?: string;
  /**
   * HTTP(S): the name the request asks for (TLS SNI and Host header), while it connects to the target's address: a
   * gateway's or an Ingress's virtual host.
   */
  readonly hostname?: string;
}

/** Which nodes a NodePort test sends to: every node, or those with (or without) a ready endpoint of the Service. */
export const NODE_CHOICES = ['all', 'withEndpoints', 'withoutEndpoints'] as const;
export type NodeChoice = (typeof NODE_CHOICES)[number];

export type Target =
  | (TargetBase & { readonly kind: 'service'; readonly cluster?: string; readonly namespace?: string; readonly name: string })
  /**
   * A Service's NodePort on node addresses (InternalIP): `port` is the Service port, whose nodePort is probed on each
   * chosen node. With `externalTrafficPolicy: Local`, nodes without an endpoint drop outside traffic.
   */
  | (TargetBase & { readonly kind: 'nodePort'; readonly cluster?: string; readonly namespace?: string; readonly name: string; readonly nodes: NodeChoice })
  /** Pods by selector: the ready ones, or with `notReady` the running ones whose readiness probe has not passed. */
  | (TargetBase & { readonly kind: 'pod'; readonly cluster?: string; readonly namespace?: string; readonly selector: string; readonly notReady?: true })
  | (TargetBase & {
      readonly kind: 'host';
      readonly host: string;
      /**
       * `to: {external: true}`: the run's external endpoint by its address, known only once the run has started it
       * (`host` is then its name, for reports). A host outside the clusters like any other.
       */
      readonly external?: true;
    });

/**
 * The zone the run's external endpoint serves (`.test` is reserved, RFC 2606); its name is `external.kconn.test`.
 * A suite that names anything in it, targets `external` or verifies against the run CA needs the endpoint.
 */
export const EXTERNAL_ZONE = 'kconn.test';
export const EXTERNAL_NAME = `external.${EXTERNAL_ZONE}`;

/** Which CA an https test verifies the server against: `run`, the CA made for this run's external endpoint. */
export const TLS_CAS = ['run'] as const;
export type TlsCa = (typeof TLS_CAS)[number];

/**
 * https with a CA: the server's certificate verifies against it (the default), is rejected (for any reason: a wrong
 * name, another CA, expired), or is rejected because its validity has ended (`expired`: the client said so).
 */
export const CERTIFICATE_EXPECTS = ['verified', 'rejected', 'expired'] as const;
export type CertificateExpect = (typeof CERTIFICATE_EXPECTS)[number];

export const CLIENT_ADDRESSES = ['kept', 'replaced'] as const;
export type ClientAddress = (typeof CLIENT_ADDRESSES)[number];

/** What a connectivity test should observe. */
export interface ConnectivityExpectation {
  readonly kind: 'connectivity';
  /** reachable: the connection succeeds; blocked: it times out or is refused; refused: it is actively refused. */
  readonly outcome: 'reachable' | 'blocked' | 'refused';
  readonly httpStatus?: number;
  readonly bodyContains?: string;
  /**
   * Whether the server saw the source's own address as the client's (`kept`) or another one (`replaced`, e.g. by the
   * SNAT of a NodePort with externalTrafficPolicy Cluster). The answer must be the client address the server saw, as
   * agnhost netexec's `/clientip` gives (`<ip>:<port>`).
   */
  readonly clientAddress?: ClientAddress;
  /**
   * With `tls: {ca}` (reachable only): `rejected` expects the server's certificate to fail verification against the CA
   * after the TCP connect (absent or `verified`: it must verify).
   */
  readonly certificate?: CertificateExpect;
  /** With `requests` (reachable only): how the answers must spread over the target's backends. */
  readonly answeredBy?: AnswerSpread;
}

export interface DnsExpectation {
  readonly kind: 'dns';
  readonly outcome: 'resolves' | 'nxdomain';
  readonly addresses?: readonly string[];
}

export type Expectation = ConnectivityExpectation | DnsExpectation;


interface TestBase {
  readonly name: string;
  readonly from: SourceSelector;
  /** Actions before the probes (the test then runs after the suite's other tests, in order). */
  readonly before?: readonly TestAction[];
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly source: SourceRef;
}

export interface ConnectivityTest extends TestBase {
  readonly type: 'connectivity';
  readonly to: Target;
  readonly protocol: Protocol;
  readonly expect: ConnectivityExpectation;
  /** https only: verify the server's certificate (name or IP included) against this CA instead of skipping verification. */
  readonly tls?: { readonly ca: TlsCa };
  /** How many requests each source sends to each target address (with `expect.answeredBy`); one when absent. */
  readonly requests?: number;
}

/** Pods whose own A records (`<ip with dashes>.<namespace>.pod.<cluster domain>`) a DNS test looks up. */
export interface PodRecordTarget {
  /** Absent: the run's own namespace. */
  readonly namespace?: string;
  readonly selector: string;
}

/** The cluster domain of kind clusters (and most others): what pod and service records end in. */
export const CLUSTER_DOMAIN = 'cluster.local';

export interface DnsTest extends TestBase {
  readonly type: 'dns';
  /**
   * `name` is the name looked up; with `podOf`, each ready pod's own A record is looked up instead and must resolve
   * to that pod's IP (`name` then only describes the form, for reports).
   */
  readonly dns: { readonly name: string; readonly recordType: DnsRecordType; readonly podOf?: PodRecordTarget };
  readonly expect: DnsExpectation;
}

/** The A record name of a pod IPv4 address (https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#a-aaaa-records-1). */
export function podRecordName(ip: string, namespace: string): string {
  return `${ip.replace(/\./g, '-')}.${namespace}.pod.${CLUSTER_DOMAIN}`;
}

export type SuiteTest = ConnectivityTest | DnsTest;

export interface SuiteManifest {
  /** Absolute path of the manifest file. */
  readonly path: string;
  /** Path as written in the suite. */
  readonly declaredPath: string;
  /** Clusters to apply to; undefined = every cluster. */
  readonly clusters?: readonly string[];
  readonly source: SourceRef;
}

/** Transport protocols of a NetworkPolicy port (the Kubernetes spelling). */
export const TRANSPORT_PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
export type TransportProtocol = (typeof TRANSPORT_PROTOCOLS)[number];

export interface TruthTablePod {
  /** Declared name: the pod is created under it in its namespace. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Declared pod IP (only ipBlock peers look at it); absent: the pod matches no ipBlock. */
  readonly ip?: string;
}

export interface TruthTableNamespace {
  /** Declared name; a run creates `<run-namespace>-<name>` (see harness/plan/netpol/namespaceRewrite.ts). */
  readonly name: string;
  /** Declared labels, without `kubernetes.io/metadata.name` (the API server sets it to the real name). */
  readonly labels: Readonly<Record<string, string>>;
  readonly pods: readonly TruthTablePod[];
}

export interface TruthTablePort {
  readonly port: number;
  readonly protocol: TransportProtocol;
}

/** One NetworkPolicy object of a truth table, as written in its file (a run rewrites and applies it). */
export interface TruthTablePolicy {
  /** metadata.namespace (a declared namespace) and metadata.name. */
  readonly namespace: string;
  readonly name: string;
  readonly object: Readonly<Record<string, unknown>>;
  /** Absolute path of the policy file. */
  readonly path: string;
  /** Path as written in the suite. */
  readonly declaredPath: string;
  /** The policy file (as shown to users) and the document inside it. */
  readonly source: SourceRef;
}

/**
 * A grid of pods whose expected reachability (every ordered pair, self included, every port) is computed from the
 * policies themselves (harness/plan/netpol/).
 */
export interface TruthTable {
  readonly namespaces: readonly TruthTableNamespace[];
  readonly ports: readonly TruthTablePort[];
  readonly policies: readonly TruthTablePolicy[];
  readonly source: SourceRef;
}

/**
 * A TLS Secret (kubernetes.io/tls) the suite gets before its manifests: a server certificate of the run's CA for
 * `names`, with a fresh key, for a Gateway listener or an Ingress to serve. Applied to every cluster of the suite.
 */
export interface SuiteCertificate {
  /** Absent: the run's own namespace. */
  readonly namespace?: string;
  readonly secret: string;
  readonly names: readonly string[];
  /** Issued already expired (its validity ended a day before the run): what a client that checks dates refuses. */
  readonly expired?: boolean;
}

export interface Suite {
  readonly name: string;
  readonly requires: readonly Capability[];
  readonly manifests: readonly SuiteManifest[];
  /** Empty for a suite that has only a truth table. */
  readonly tests: readonly SuiteTest[];
  readonly truthTable?: TruthTable;
  /**
   * Ids of known differences (harness/cni/knownDifferences.ts) its results depend on: a test of the suite that fails
   * where one of them holds for a cluster's CNI version is an expected difference, not a failure.
   */
  readonly dependsOn?: readonly DifferenceDependency[];
  /** Checks that an API object exists or not (e.g. the ServiceImport a ServiceExport makes), beside the probes. */
  readonly objects?: readonly ObjectCheck[];
  /** TLS Secrets of the run's CA, applied with the manifests. */
  readonly certificates?: readonly SuiteCertificate[];
  readonly source: SourceRef;
}

export const OBJECT_EXPECTS = ['exists', 'absent'] as const;

/** How long an object check waits for its object to appear when the suite says nothing. */
export const DEFAULT_OBJECT_TIMEOUT_MS = 120_000;

/**
 * An API object that must exist (polled until it does, or the timeout) or must not (absent at two looks, a few
 * seconds apart), on one cluster or on each. Its kind must be known to the cluster (listable), else the check is an
 * error: a missing CRD never passes as "absent".
 */
export interface ObjectCheck {
  readonly name: string;
  /** Absent: every cluster of the topology. */
  readonly cluster?: string;
  /** Without a namespace the object is cluster-scoped. */
  readonly object: { readonly apiVersion: string; readonly kind: string; readonly namespace?: string; readonly name: string };
  readonly expect: (typeof OBJECT_EXPECTS)[number];
  readonly timeoutMs: number;
  readonly source: SourceRef;
}

/** Cells of a truth table: every ordered pair of its pods (self included), for every port. */
export function truthTableCells(table: TruthTable): number {
  const pods = table.namespaces.reduce((n, ns) => n + ns.pods.length, 0);
  return pods * pods * table.ports.length;
}

/** Every cluster a test names explicitly. */
export function clustersNamedBy(test: SuiteTest): string[] {
  const names = new Set<string>();
  if (test.from.cluster) names.add(test.from.cluster);
  if (test.type === 'connectivity' && test.to.kind !== 'host' && test.to.cluster) names.add(test.to.cluster);
  if (test.type === 'connectivity') for (const c of test.expect.answeredBy?.clusters ?? []) names.add(c);
  for (const a of test.before ?? []) if (a.cluster) names.add(a.cluster);
  return [...names];
}
