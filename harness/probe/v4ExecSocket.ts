import type { KubeConfig } from '@kubernetes/client-node';
import WebSocket from 'ws';

/**
 * The websocket behind client-node's Exec, pinned to the v4.channel.k8s.io protocol that every current API server
 * speaks. client-node would offer v5 first, whose CLOSE frames it handles by ending its default streams (the
 * process's own stdout); kconn never sends stdin, so v4 loses nothing. Frames are `<channel byte><data>`:
 * 1 stdout, 2 stderr, 3 the final Status.
 */
const MAX_STATUS_BYTES = 64 * 1024;

/** The `message` of a Kubernetes Status body, else the body's first line (or a note that there was none). */
export function statusMessage(body: string): string {
  try {
    const status = JSON.parse(body) as { message?: unknown };
    if (typeof status.message === 'string' && status.message) return status.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.trim().split('\n')[0]?.slice(0, 300) || '(no reason given)';
}

export class V4ExecSocket {
  static readonly PROTOCOL = 'v4.channel.k8s.io';

  constructor(private readonly kc: KubeConfig) {}

  async connect(
    path: string,
    _textHandler: ((text: string) => boolean) | null,
    binaryHandler: ((stream: number, buff: Buffer) => boolean) | null,
  ): Promise<WebSocket> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error('no current cluster in the kubeconfig');
    const url = new URL(path, cluster.server);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const options: WebSocket.ClientOptions = {};
    await this.kc.applyToHTTPSOptions(options);
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, [V4ExecSocket.PROTOCOL], options);
      let open = false;
      ws.on('open', () => {
        open = true;
        resolve(ws);
      });
      ws.on('error', (e) => {
        if (!open) reject(e);
      });
      // A refused upgrade carries the API server's reason as a Status body ("pods \"x\" not found", "container ...
      // is waiting to start: ContainerCreating"): read it, then let go of the request and its socket.
      ws.on('unexpected-response', (req, res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        // Once the response is read, Node detaches the socket from req/res: keep it, and close it ourselves.
        const socket = res.socket;
        const done = (): void => {
          req.destroy();
          res.destroy();
          socket?.destroy();
          if (!open) reject(new Error(`exec refused by the API server (HTTP ${res.statusCode}): ${statusMessage(Buffer.concat(chunks).toString('utf8'))}`));
        };
        res.on('data', (c: Buffer) => {
          if (size < MAX_STATUS_BYTES) chunks.push(c);
          size += c.length;
        });
        res.on('end', done);
        res.on('error', done);
      });
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary || data.length < 1) return;
        if (binaryHandler && !binaryHandler(data[0]!, data.subarray(1))) ws.close();
      });
    });
  }
}
