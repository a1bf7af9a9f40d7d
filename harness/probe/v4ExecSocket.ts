import type { KubeConfig } from '@kubernetes/client-node';
import WebSocket from 'ws';

/**
 * The websocket behind client-node's Exec, pinned to the v4.channel.k8s.io protocol that every current API server
 * speaks. client-node would offer v5 first, whose CLOSE frames it handles by ending its default streams (the
 * process's own stdout); kconn never sends stdin, so v4 loses nothing. Frames are `<channel byte><data>`:
 * 1 stdout, 2 stderr, 3 the final Status.
 */
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
      ws.on('unexpected-response', (_req, res) => {
        if (!open) reject(new Error(`Unexpected server response: ${res.statusCode}`));
      });
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary || data.length < 1) return;
        if (binaryHandler && !binaryHandler(data[0]!, data.subarray(1))) ws.close();
      });
    });
  }
}
