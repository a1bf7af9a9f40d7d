import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { MAX_PROBE_TIMEOUT_MS, MIN_PROBE_TIMEOUT_MS, parseDuration } from '../model/duration.js';
import { isRecord } from '../model/isRecord.js';
import type { Suite, TruthTable } from '../model/suite.js';
import { closestName } from './closestName.js';
import type { Diagnostic } from './diagnostic.js';
import { toSuite } from './toSuite.js';
import { loadTruthTable } from './truthTableLoader.js';
import type { FieldPath, YamlDocument } from './yamlFile.js';

type Raw = Record<string, unknown>;

const CONNECTIVITY_EXPECTS = ['reachable', 'blocked', 'refused'];
const DNS_EXPECTS = ['resolves', 'nxdomain'];

/** Semantic checks of a Suite document the schema cannot express (on `raw` of any shape), then the typed Suite when `convert`. */
export function loadSuite(doc: YamlDocument, raw: Raw, convert = true): { suite?: Suite; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const err = (path: FieldPath, message: string): void => {
    diagnostics.push(doc.diagnostic(path, message));
  };
  const spec = isRecord(raw['spec']) ? raw['spec'] : {};
  const tests = Array.isArray(spec['tests']) ? spec['tests'] : [];
  const manifests = Array.isArray(spec['manifests']) ? spec['manifests'] : [];

  manifests.forEach((m, i) => {
    if (!isRecord(m) || typeof m['path'] !== 'string') return;
    const abs = resolve(dirname(doc.absPath), m['path']);
    if (!existsSync(abs)) err(['spec', 'manifests', i, 'path'], `manifest file not found: ${m['path']} (resolved to ${abs})`);
    else if (!statSync(abs).isFile()) err(['spec', 'manifests', i, 'path'], `manifest path is not a file: ${m['path']}`);
  });

  if (isRecord(spec['defaults'])) checkTimeout(spec['defaults']['timeout'], ['spec', 'defaults', 'timeout'], err);
  // Test and object-check names share one space: both become tests in the reports.
  const names = new Map<string, string>();
  const claimName = (name: unknown, path: FieldPath): void => {
    if (typeof name !== 'string') return;
    const first = names.get(name);
    if (first !== undefined) err([...path, 'name'], `duplicate test name "${name}" (first used at ${first})`);
    else names.set(name, `spec.${String(path[1])}[${String(path[2])}]`);
  };
  tests.forEach((t, i) => {
    if (!isRecord(t)) return;
    const path: FieldPath = ['spec', 'tests', i];
    claimName(t['name'], path);
    checkTestShape(t, path, err);
    checkTimeout(t['timeout'], [...path, 'timeout'], err);
  });

  const objects = Array.isArray(spec['objects']) ? spec['objects'] : [];
  objects.forEach((o, i) => {
    if (!isRecord(o)) return;
    const path: FieldPath = ['spec', 'objects', i];
    claimName(o['name'], path);
    if (typeof o['timeout'] === 'string') {
      const ms = parseDuration(o['timeout']);
      if (ms !== undefined && (ms < 1000 || ms > MAX_PROBE_TIMEOUT_MS)) err([...path, 'timeout'], `timeout ${o['timeout']} is out of range: an object check waits 1s to ${MAX_PROBE_TIMEOUT_MS / 60_000}m`);
    }
  });

  if (isRecord(raw['spec']) && spec['tests'] === undefined && spec['truthTable'] === undefined && spec['objects'] === undefined) {
    err(['spec'], 'a suite needs "tests", a "truthTable", "objects", or any of them together');
  }
  const table = loadTruthTable(doc, spec['truthTable'], spec['requires']);
  diagnostics.push(...table.diagnostics);
  checkDependencyScopes(spec['dependsOn'], new Set(names.keys()), table.truthTable, err);

  if (diagnostics.some((d) => d.severity !== 'warning') || !convert) return { diagnostics };
  return { suite: toSuite(doc, raw, table.truthTable), diagnostics };
}

/** A well-formed duration outside what the probe engine accepts (the schema reports malformed ones). */
function checkTimeout(value: unknown, path: FieldPath, err: (path: FieldPath, message: string) => void): void {
  if (typeof value !== 'string') return;
  const ms = parseDuration(value);
  if (ms === undefined || (ms >= MIN_PROBE_TIMEOUT_MS && ms <= MAX_PROBE_TIMEOUT_MS)) return;
  err(path, `timeout ${value} is out of range: a probe runs for ${MIN_PROBE_TIMEOUT_MS}ms to ${MAX_PROBE_TIMEOUT_MS / 60_000}m`);
}

function checkTestShape(t: Raw, path: FieldPath, err: (path: FieldPath, message: string) => void): void {
  const hasTo = t['to'] !== undefined;
  const hasDns = t['dns'] !== undefined;
  if (hasTo === hasDns) {
    err(path, hasTo ? 'a test has either "to" (connectivity) or "dns" (lookup), not both' : 'a test needs "to" (connectivity) or "dns" (lookup)');
    return;
  }
  const expect = t['expect'];
  const expectWord = typeof expect === 'string' ? expect : undefined;
  if (hasDns) {
    if (t['protocol'] !== undefined) err([...path, 'protocol'], 'a dns test takes no protocol');
    if (t['tls'] !== undefined) err([...path, 'tls'], 'a dns test takes no tls');
    if (t['requests'] !== undefined) err([...path, 'requests'], 'a dns test takes no requests (requests tallies the answers of a connectivity test)');
    checkPodRecords(t, path, err);
    if (expectWord && !DNS_EXPECTS.includes(expectWord)) {
      err([...path, 'expect'], `a dns test expects ${DNS_EXPECTS.join(' or ')}, not "${expectWord}"`);
    }
    if (isRecord(expect) && (expect['reachable'] !== undefined || expect['http'] !== undefined || expect['refused'] !== undefined)) {
      err([...path, 'expect'], 'a dns test expects {resolves, addresses}, not reachable/refused/http');
    }
    return;
  }
  const to = t['to'];
  if (!isRecord(to)) return;
  const kinds = ['service', 'nodePort', 'pod', 'host', 'external'].filter((k) => to[k] !== undefined);
  if (kinds.length !== 1) {
    const one = 'service, nodePort, pod, host or external';
    err([...path, 'to'], kinds.length ? `"to" names ${kinds.join(' and ')}; give exactly one of ${one}` : `"to" needs one of ${one}`);
  }
  if (to['nodes'] !== undefined && to['nodePort'] === undefined) err([...path, 'to', 'nodes'], '"nodes" chooses the nodes of a nodePort target; add nodePort: <service>, or remove nodes');
  if (to['host'] !== undefined && to['cluster'] !== undefined) err([...path, 'to', 'cluster'], 'a host target is outside the clusters; it takes no cluster');
  if (to['external'] !== undefined && to['cluster'] !== undefined) err([...path, 'to', 'cluster'], 'the external endpoint is outside the clusters; it takes no cluster');
  const protocol = typeof t['protocol'] === 'string' ? t['protocol'] : 'tcp';
  if (t['tls'] !== undefined && protocol !== 'https') err([...path, 'tls'], `tls (verify against a CA) needs protocol https, not ${protocol}`);
  if (protocol === 'icmp' && to['port'] !== undefined) err([...path, 'to', 'port'], 'icmp has no ports; remove "port"');
  if (to['path'] !== undefined && protocol !== 'http' && protocol !== 'https') err([...path, 'to', 'path'], `a path needs protocol http or https, not ${protocol}`);
  if (to['hostname'] !== undefined && protocol !== 'http' && protocol !== 'https') err([...path, 'to', 'hostname'], `a hostname (SNI and Host header) needs protocol http or https, not ${protocol}`);
  if (protocol !== 'icmp' && to['port'] === undefined) err([...path, 'to'], `missing required field "port" (protocol ${protocol})`);
  if (expectWord && !CONNECTIVITY_EXPECTS.includes(expectWord)) {
    err([...path, 'expect'], `a connectivity test expects ${CONNECTIVITY_EXPECTS.join(', ')}, not "${expectWord}"`);
  }
  if (isRecord(expect)) {
    if (expect['resolves'] !== undefined || expect['addresses'] !== undefined) {
      err([...path, 'expect'], 'a connectivity test expects {reachable, refused, http}, not resolves/addresses');
    }
    if (expect['http'] !== undefined && protocol !== 'http' && protocol !== 'https') {
      err([...path, 'expect', 'http'], `"http" expectations need protocol http or https, not ${protocol}`);
    }
    if (expect['http'] !== undefined && expect['reachable'] === false) {
      err([...path, 'expect', 'http'], 'an HTTP status cannot be expected from a connection expected to be blocked');
    }
    if (expect['reachable'] === undefined && expect['refused'] === undefined) {
      err([...path, 'expect'], 'say what should happen: reachable: true|false or refused: true');
    }
    if (expect['clientAddress'] !== undefined) {
      const at: FieldPath = [...path, 'expect', 'clientAddress'];
      if (protocol !== 'http' && protocol !== 'https') err(at, `clientAddress needs protocol http or https (the answer is the client address the server saw, e.g. path /clientip), not ${protocol}`);
      if (expect['reachable'] !== true) err(at, 'clientAddress needs an answer: the test must expect reachable: true');
    }
    if (expect['certificate'] !== undefined) {
      const at: FieldPath = [...path, 'expect', 'certificate'];
      if (t['tls'] === undefined) err(at, 'certificate is checked against a CA: add tls: {ca: run} (and protocol https)');
      if (expect['reachable'] !== true) err(at, 'a certificate is only seen on a connection: the test must expect reachable: true');
    }
  }
  checkAnswerSpread(t, to, protocol, path, err);
}

/** `dns` names one name or the pods whose own records are looked up (A records, each to its pod's IP), not both. */
function checkPodRecords(t: Raw, path: FieldPath, err: (path: FieldPath, message: string) => void): void {
  const dns = t['dns'];
  if (!isRecord(dns)) return;
  if ((dns['name'] === undefined) === (dns['podOf'] === undefined)) {
    err([...path, 'dns'], dns['name'] === undefined ? 'dns needs "name" (the name to look up) or "podOf" (pods whose own A records to look up)' : 'give either "name" or "podOf", not both');
    return;
  }
  if (dns['podOf'] === undefined) return;
  if (dns['type'] !== undefined && dns['type'] !== 'A') err([...path, 'dns', 'type'], `pod records are A records (IPv4 pods); not ${String(dns['type'])}`);
  const expect = t['expect'];
  if (expect === 'nxdomain' || (isRecord(expect) && expect['resolves'] === false)) err([...path, 'expect'], "a pod's own record must resolve: expect resolves");
  if (isRecord(expect) && expect['addresses'] !== undefined) err([...path, 'expect', 'addresses'], "each pod's record must resolve to that pod's own IP: remove addresses");
}

/** Each test a `dependsOn` entry names is a test of the suite or a cell of its truth table (`<ns>/<pod> -> <ns>/<pod> <port>/<PROTOCOL>`). */
function checkDependencyScopes(dependsOn: unknown, tests: ReadonlySet<string>, table: TruthTable | undefined, err: (path: FieldPath, message: string) => void): void {
  if (!Array.isArray(dependsOn)) return;
  const pods = new Set(table?.namespaces.flatMap((ns) => ns.pods.map((p) => `${ns.name}/${p.name}`)) ?? []);
  const ports = new Set(table?.ports.map((p) => `${p.port}/${p.protocol}`) ?? []);
  const isCell = (name: string): boolean => {
    const m = /^(\S+) -> (\S+) (\S+)$/.exec(name);
    return m !== null && pods.has(m[1]!) && pods.has(m[2]!) && ports.has(m[3]!);
  };
  dependsOn.forEach((d, i) => {
    if (!isRecord(d) || !Array.isArray(d['tests'])) return;
    d['tests'].forEach((name, k) => {
      if (typeof name !== 'string' || tests.has(name) || isCell(name)) return;
      const hint = closestName(name, [...tests]);
      err(['spec', 'dependsOn', i, 'tests', k], `"${name}" is neither a test of this suite${table ? ' nor a cell of its truth table ("<ns>/<pod> -> <ns>/<pod> <port>/<PROTOCOL>")' : ''}${hint ? `; did you mean "${hint}"?` : ''}`);
    });
  });
}

/** `requests` and `expect.answeredBy` go together, on a reachable HTTP(S) test of a service or pods. */
function checkAnswerSpread(t: Raw, to: Raw, protocol: string, path: FieldPath, err: (path: FieldPath, message: string) => void): void {
  const expect = isRecord(t['expect']) ? t['expect'] : undefined;
  const spread = expect?.['answeredBy'];
  if (spread === undefined) {
    if (t['requests'] !== undefined) err([...path, 'requests'], 'requests repeats a request to tally which backends answer: add expect.answeredBy, or remove requests');
    return;
  }
  const at: FieldPath = [...path, 'expect', 'answeredBy'];
  if (t['requests'] === undefined) err(at, 'answeredBy tallies the answers of several requests: add "requests: N" to the test');
  if (protocol !== 'http' && protocol !== 'https') err(at, `answeredBy needs protocol http or https (each answer names its backend, e.g. path /hostname), not ${protocol}`);
  if (expect?.['reachable'] === false || expect?.['refused'] === true) err(at, 'answeredBy needs answers: the test must expect reachable: true');
  if (to['service'] === undefined && to['pod'] === undefined && to['nodePort'] === undefined && !(isRecord(spread) && spread['backends'] !== undefined)) {
    err(at, 'answeredBy needs a service, nodePort or pod target (its backends are the pods behind it), or backends: {selector} (the pods behind a proxy)');
  }
  if (isRecord(to['pod']) && to['pod']['notReady'] === true) err(at, 'answeredBy counts the ready backends; a notReady pod target has none: remove notReady or answeredBy');
  if (!isRecord(spread)) return;
  const kinds = (['every', 'shares', 'one'] as const).filter((k) => spread[k] !== undefined);
  const hasShares = kinds.includes('shares');
  if (kinds.length !== 1) {
    err(at, kinds.length > 1 ? `give one of "every", "shares" or "one", not ${kinds.map((k) => `"${k}"`).join(' and ')}` : 'say what to check: every: pod|cluster|label:<key>, one: <grouping>, or shares: {group: percent} with by');
  }
  const other = kinds.find((k) => k !== 'shares') ?? 'every';
  if (hasShares && spread['by'] === undefined) err(at, 'shares need "by": pod, cluster or label:<key> (what a share is of)');
  if (!hasShares && spread['by'] !== undefined) err([...at, 'by'], `"by" goes with shares; with ${other}, write ${other}: <grouping>`);
  if (!hasShares && spread['confidence'] !== undefined) err([...at, 'confidence'], `confidence is the tolerance of shares; ${other} has none`);
  if (isRecord(spread['shares'])) {
    const values = Object.values(spread['shares']);
    const sum = values.reduce<number>((n, v) => n + (typeof v === 'number' ? v : 0), 0);
    if (values.every((v) => typeof v === 'number') && Math.abs(sum - 100) > 1e-6) err([...at, 'shares'], `shares add up to ${sum}, not 100`);
  }
}
