import { execa } from 'execa';

/** The `kind` CLI, always with argument arrays. Every call kconn makes to kind goes through here. */
export class KindCli {
  constructor(
    readonly bin: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  private async run(args: readonly string[], signal?: AbortSignal, onLine?: (line: string) => void): Promise<string> {
    const child = execa(this.bin, [...args], { env: this.env, ...(signal ? { cancelSignal: signal } : {}), reject: false, all: true, buffer: true });
    if (onLine) child.all?.on('data', (chunk: Buffer) => chunk.toString('utf8').split('\n').filter(Boolean).forEach(onLine));
    const r = await child;
    if (r.isCanceled) throw new Error(`kind ${args.join(' ')}: cancelled`);
    if (r.exitCode !== 0) throw new Error(`kind ${args.join(' ')} failed (exit ${r.exitCode}): ${String(r.all ?? '').trim().split('\n').slice(-5).join(' | ')}`);
    return String(r.stdout ?? '');
  }

  /** Runs a plan's kind-create argv (argv[0] is "kind"). */
  async createCluster(argv: readonly string[], signal?: AbortSignal, onLine?: (line: string) => void): Promise<void> {
    if (argv[0] !== 'kind' || argv[1] !== 'create' || argv[2] !== 'cluster') throw new Error(`not a kind create argv: ${argv.join(' ')}`);
    try {
      await this.run(argv.slice(1), signal, onLine);
    } catch (e) {
      const name = argv[argv.indexOf('--name') + 1];
      if (signal?.aborted && argv.includes('--name') && name) await this.settleNodes(name);
      throw e;
    }
  }

  /**
   * After an interrupted create: the `docker run`s kind started outlive it (killing kind stops neither them nor the
   * daemon's container creates), so a delete right away can miss nodes that appear a moment later: seen on a real
   * kind cluster, Ctrl-C during "Preparing nodes" left both node containers. Waits until the cluster's node list
   * (`kind get nodes`) has not changed for `stableMs`, at most `maxMs`; the delete that follows then sees them all.
   */
  async settleNodes(name: string, stableMs = 3000, maxMs = 30_000, pollMs = 500): Promise<void> {
    const started = Date.now();
    let last: string | undefined;
    let since = started;
    while (Date.now() - started < maxMs) {
      const nodes = await this.run(['get', 'nodes', '--name', name]).catch(() => undefined);
      if (nodes === undefined) return; // kind cannot say: nothing to wait for
      if (nodes !== last) {
        last = nodes;
        since = Date.now();
      } else if (Date.now() - since >= stableMs) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  async deleteCluster(name: string): Promise<void> {
    await this.run(['delete', 'cluster', '--name', name]);
  }

  /** Names of existing kind clusters ("No kind clusters found." goes to stderr, so stdout is empty then). */
  async getClusters(): Promise<string[]> {
    return (await this.run(['get', 'clusters'])).split('\n').map((l) => l.trim()).filter(Boolean);
  }

  /** Kubeconfig text; `internal` points at <name>-control-plane:6443 on the kind network. */
  async kubeconfig(name: string, internal = false): Promise<string> {
    return this.run(['get', 'kubeconfig', '--name', name, ...(internal ? ['--internal'] : [])]);
  }

  /** Loads an image archive (`docker save` output) into every node of a cluster. */
  async loadImageArchive(name: string, archive: string, signal?: AbortSignal): Promise<void> {
    await this.run(['load', 'image-archive', archive, '--name', name], signal);
  }

  async version(): Promise<string> {
    return (await this.run(['version'])).trim();
  }
}
