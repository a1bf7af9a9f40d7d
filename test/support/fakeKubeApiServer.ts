import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { tailOf } from './memoryKubeApi.js';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown }; [k: string]: unknown };

interface Resource {
  readonly group: string; // '' for core
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

const RESOURCES: readonly Resource[] = [
  { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false },
  { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true },
  { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
  { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true },
  { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true },
  { group: 'apps', version: 'v1', plural: 'daemonsets', kind: 'DaemonSet', namespaced: true },
  { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', kind: 'EndpointSlice', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', kind: 'NetworkPolicy', namespaced: true },
  { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false },
  { group: 'operator.tigera.io', version: 'v1', plural: 'tigerastatuses', kind: 'TigeraStatus', namespaced: false },
  { group: 'operator.tigera.io', version: 'v1', plural: 'installations', kind: 'Installation', namespaced: false },
  { group: 'submariner.io', version: 'v1', plural: 'gateways', kind: 'Gateway', namespaced: true },
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true },
  { group: 'networking.istio.io', version: 'v1', plural: 'gateways', kind: 'Gateway', namespaced: true },
  { group: 'metallb.io', version: 'v1beta1', plural: 'ipaddresspools', kind: 'IPAddressPool', namespaced: true },
  { group: 'metallb.io', version: 'v1beta1', plural: 'l2advertisements', kind: 'L2Advertisement', namespaced: true },
];

const apiVersionOf = (r: Resource): string => (r.group ? `${r.group}/${r.version}` : r.version);
const keyOf = (kind: string, name: string, ns?: string): string => `${kind}/${ns ?? ''}/${name}`;

/**
 * A tiny Kubernetes API server over plain HTTP, enough for @kubernetes/client-node's generic object API: discovery,
 * get, list (with equality label selectors), server-side apply (PATCH) and delete. Tests script how objects change
 * over time with `onRead`, so readiness polling meets states that evolve, as on a real cluster.
 */
export class FakeKubeApiServer {
  readonly objects = new Map<string, Obj>();
  readonly requests: { method: string; path: string; query: string; contentType: string; body: string }[] = [];
  /** Container logs by `namespace/pod/container` (GET .../pods/<pod>/log?container=&tailLines=); the pod must exist too. */
  readonly podLogs = new Map<string, string>();
  /** Called before every GET of an object or list, with how many GETs that path had; may change objects. */
  onRead: (kind: string, name: string | undefined, reads: number) => void = () => undefined;
  /**
   * Pod exec (the websocket protocol of `kubectl exec`, v4.channel.k8s.io): runs the argv somewhere real (a test
   * container) and streams stdout (channel 1), stderr (channel 2), then the final Status (channel 3).
   * Undefined: the pod does not exist (404 on upgrade).
   */
  onExec: ((pod: { namespace: string; name: string; container: string }, argv: string[]) => Promise<{ exitCode: number; stdout: string; stderr: string }> | undefined) | undefined;
  /** A refusal of the exec upgrade, as the API server sends for a pod whose container is not running yet. */
  refuseExec: ((pod: { namespace: string; name: string; container: string }) => { code: number; message: string } | undefined) | undefined;
  private readonly reads = new Map<string, number>();
  private readonly refused = new Set<Socket>();
  private server: Server | undefined;
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false) });

  put(o: Obj): void {
    this.objects.set(keyOf(o.kind, o.metadata.name, o.metadata.namespace), o);
  }

  find(kind: string, name: string, ns?: string): Obj | undefined {
    return this.objects.get(keyOf(kind, name, ns));
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.upgrade(req, socket, head));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** How many client connections the server holds open right now. */
  connections(cb: (error: Error | null, count: number) => void): void {
    if (!this.server) cb(null, 0);
    else this.server.getConnections(cb);
  }

  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    for (const socket of this.refused) socket.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(url.pathname);
    // For an exec, `contentType` records the websocket subprotocols the client offered.
    this.requests.push({ method: 'EXEC', path: url.pathname, query: url.search, contentType: String(req.headers['sec-websocket-protocol'] ?? ''), body: '' });
    const pod = m ? { namespace: m[1]!, name: m[2]!, container: url.searchParams.get('container') ?? '' } : undefined;
    // Like the real API server, a refused exec is an HTTP error whose body is a Status naming the reason.
    const refusal = pod && this.refuseExec?.(pod);
    if (refusal) {
      this.refuse(socket, refusal.code, refusal.message);
      return;
    }
    const run = pod && this.onExec?.(pod, url.searchParams.getAll('command'));
    if (!run) {
      this.refuse(socket, 404, `pods "${pod?.name ?? '?'}" not found`);
      return;
    }
    const frame = (channel: number, text: string): Buffer => Buffer.concat([Buffer.from([channel]), Buffer.from(text)]);
    if (url.searchParams.get('stdin') === 'true' && pod) {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.agent(ws, pod, frame));
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      void run.then(
        (r) => {
          if (r.stdout) ws.send(frame(1, r.stdout));
          if (r.stderr) ws.send(frame(2, r.stderr));
          const status =
            r.exitCode === 0
              ? { metadata: {}, status: 'Success' }
              : { metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: exit status ${r.exitCode}`, reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(r.exitCode) }] } };
          ws.send(frame(3, JSON.stringify(status)));
          ws.close();
        },
        (e: Error) => {
          ws.send(frame(3, JSON.stringify({ metadata: {}, status: 'Failure', message: e.message, reason: 'InternalError' })));
          ws.close();
        },
      );
    });
  }

  /**
   * An exec with stdin: kconn's agent (harness/probe/scriptSession.ts), which reads `<bytes> <id>\n<script>` from
   * stdin (channel 0) and answers each with the script's stdout and `KCONN-DONE <id> <exit> <b64 stderr>`. The fake
   * speaks that protocol over one `onExec(['bash', '-c', script])` per script, so the tests' execs stay one-shot; the
   * agent's own bash loop is tested for real elsewhere (test/unit/probe/scriptSession.test.ts, the Docker tests).
   */
  private agent(ws: WebSocket, pod: { namespace: string; name: string; container: string }, frame: (channel: number, text: string) => Buffer): void {
    this.agentExecs++;
    let buffer = Buffer.alloc(0);
    let busy = Promise.resolve();
    ws.on('message', (data: Buffer) => {
      if (data[0] !== 0) return;
      buffer = Buffer.concat([buffer, data.subarray(1)]);
      for (;;) {
        const nl = buffer.indexOf(10);
        if (nl < 0) return;
        const m = /^(\d+) (\d+)$/.exec(buffer.subarray(0, nl).toString());
        if (!m) return void ws.close();
        const n = Number(m[1]);
        if (buffer.length < nl + 1 + n) return;
        const script = buffer.subarray(nl + 1, nl + 1 + n).toString('utf8');
        buffer = buffer.subarray(nl + 1 + n);
        const id = m[2]!;
        busy = busy.then(async () => {
          const r = await (this.onExec?.(pod, ['bash', '-c', script]) ?? Promise.resolve({ exitCode: 127, stdout: '', stderr: 'gone' }));
          if (r.stdout) ws.send(frame(1, r.stdout));
          ws.send(frame(1, `KCONN-DONE ${id} ${r.exitCode} ${r.stderr ? Buffer.from(r.stderr).toString('base64') : '-'}\n`));
        });
      }
    });
  }

  /** Agent execs (exec with stdin) opened so far. */
  agentExecs = 0;

  private refuse(socket: Socket, code: number, message: string): void {
    const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: code === 404 ? 'NotFound' : 'BadRequest', code });
    const reason = code === 404 ? 'Not Found' : 'Bad Request';
    // Keep-alive, as the real API server: the connection stays open until the client lets go of it.
    this.refused.add(socket);
    socket.on('close', () => this.refused.delete(socket));
    socket.on('end', () => socket.end()); // the client hung up: so does the server
    socket.write(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: application/json\r\nConnection: keep-alive\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  private send(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private notFound(res: ServerResponse, what: string): void {
    this.send(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${what} not found` });
  }

  /** A container's log as text/plain, cut to tailLines, or the Status the API server sends when it cannot. */
  private podLog(res: ServerResponse, ns: string, pod: string, query: URLSearchParams): void {
    if (!this.find('Pod', pod, ns)) return this.notFound(res, `pods "${pod}"`);
    const container = query.get('container') ?? '';
    const text = this.podLogs.get(`${ns}/${pod}/${container}`);
    if (text === undefined) {
      return this.send(res, 400, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'BadRequest', code: 400, message: `container ${container} is not valid for pod ${pod}` });
    }
    const tail = query.get('tailLines');
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(tail === null ? text : tailOf(text, Number(tail)));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await new Promise<string>((r) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString()));
      req.on('end', () => r(data));
    });
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.search, contentType: String(req.headers['content-type'] ?? ''), body });
    const parts = url.pathname.split('/').filter(Boolean);
    // Discovery: /api/v1, /apis/<group>/<version>
    if ((parts[0] === 'api' && parts.length === 2) || (parts[0] === 'apis' && parts.length === 3)) {
      const [group, version] = parts[0] === 'api' ? ['', parts[1]!] : [parts[1]!, parts[2]!];
      const resources = RESOURCES.filter((r) => r.group === group && r.version === version);
      if (!resources.length) return this.notFound(res, url.pathname);
      return this.send(res, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: group ? `${group}/${version}` : version,
        resources: resources.map((r) => ({ name: r.plural, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'list', 'patch', 'delete'] })),
      });
    }
    const [group, version, rest] = parts[0] === 'api' ? ['', parts[1]!, parts.slice(2)] : [parts[1]!, parts[2]!, parts.slice(3)];
    let ns: string | undefined;
    let tail = rest;
    if (tail[0] === 'namespaces' && tail.length >= 3) {
      ns = tail[1];
      tail = tail.slice(2);
    }
    const resource = RESOURCES.find((r) => r.group === group && r.version === version && r.plural === tail[0]);
    if (!resource) return this.notFound(res, url.pathname);
    const name = tail[1];
    if (resource.kind === 'Pod' && name && tail[2] === 'log' && tail.length === 3 && req.method === 'GET') return this.podLog(res, ns ?? '', name, url.searchParams);
    const key = `${req.method} ${url.pathname}`;
    if (req.method === 'GET') {
      const n = (this.reads.get(key) ?? 0) + 1;
      this.reads.set(key, n);
      this.onRead(resource.kind, name, n);
    }
    if (req.method === 'GET' && !name) {
      const selector = url.searchParams.get('labelSelector');
      // Equality (k=v) and existence (k) terms, as the API server reads them.
      const wanted = selector ? selector.split(',').map((t) => t.split('=') as [string, string?]) : [];
      const matches = (labels: Record<string, string> | undefined, [k, v]: [string, string?]): boolean => (v === undefined ? labels?.[k] !== undefined : labels?.[k] === v);
      const items = [...this.objects.values()].filter(
        (o) => o.kind === resource.kind && (ns === undefined || o.metadata.namespace === ns) && wanted.every((term) => matches(o.metadata.labels, term)),
      );
      return this.send(res, 200, { kind: `${resource.kind}List`, apiVersion: apiVersionOf(resource), metadata: {}, items });
    }
    if (!name) return this.send(res, 405, { message: 'method not allowed' });
    const current = this.find(resource.kind, name, ns);
    if (req.method === 'GET') return current ? this.send(res, 200, current) : this.notFound(res, `${resource.kind} ${name}`);
    if (req.method === 'PATCH') {
      const applied = JSON.parse(body) as Obj;
      const merged: Obj = { ...(current ?? {}), ...applied, metadata: { ...(current?.metadata ?? {}), ...applied.metadata, name, ...(ns ? { namespace: ns } : {}) } };
      this.put(merged);
      return this.send(res, current ? 200 : 201, merged);
    }
    if (req.method === 'DELETE') {
      if (!current) return this.notFound(res, `${resource.kind} ${name}`);
      this.objects.delete(keyOf(resource.kind, name, ns));
      return this.send(res, 200, { kind: 'Status', apiVersion: 'v1', status: 'Success' });
    }
    return this.send(res, 405, { message: 'method not allowed' });
  }
}
