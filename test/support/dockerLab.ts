import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { DockerExec } from '../../harness/probe/dockerExec.js';
import { LOCAL_PROBE_IMAGES, probeImages } from '../../harness/probe/probeImages.js';

/** Images built from Debian packages by images/build.sh (no registry needed); KCONN_*_IMAGE override them. */
export const { client: CLIENT_IMAGE, server: SERVER_IMAGE } = probeImages(process.env, LOCAL_PROBE_IMAGES);

/** Label on everything a test creates, so that a crashed run can be swept up. */
export const TEST_LABEL = 'kconn.dev/test-run';

/**
 * For the `before` hook of every real-Docker test file: fails with an actionable message when Docker or the images are
 * missing. KCONN_SKIP_DOCKER_TESTS=1 skips instead, on a developer's machine only: never when CI is set.
 */
export async function requireDocker(ctx: Mocha.Context): Promise<void> {
  if (process.env['KCONN_SKIP_DOCKER_TESTS'] === '1' && !process.env['CI']) {
    ctx.skip(); // reason: the user asked to skip the Docker tier locally (KCONN_SKIP_DOCKER_TESTS=1)
  }
  await DockerLab.check();
}

/** testcontainers' builder, plus the DNS servers of the container (Docker's --dns). */
export class LabContainer extends GenericContainer {
  withDns(...servers: string[]): this {
    this.hostConfig.Dns = servers;
    return this;
  }
}

/**
 * Real containers on a Docker network of their own, created for one test file and removed after it. The network is
 * `internal`: nothing in it can reach beyond it, so tests only ever send packets to containers they created.
 * Ryuk cannot be pulled here (no registry), so cleanup is ours: `close()` removes every container and the network,
 * and anything left by a crashed run carries TEST_LABEL.
 */
export class DockerLab {
  readonly docker = new Docker();
  readonly runId = randomBytes(4).toString('hex');
  readonly networkName = `kconn-test-${this.runId}`;
  private readonly started: StartedTestContainer[] = [];

  /** Fails with a message a user can act on when Docker or the images are missing. */
  static async check(): Promise<void> {
    const docker = new Docker();
    try {
      await docker.ping();
    } catch (e) {
      throw new Error(
        `Docker engine not reachable (${(e as Error).message}). These tests need real containers: start Docker ` +
          '(as root on Debian: bash images/ensure-docker.sh), or set KCONN_SKIP_DOCKER_TESTS=1 to skip them locally.',
        { cause: e },
      );
    }
    for (const image of [CLIENT_IMAGE, SERVER_IMAGE]) {
      try {
        await docker.getImage(image).inspect();
      } catch {
        throw new Error(`image ${image} is missing: build it with bash images/build.sh (no registry needed)`);
      }
    }
  }

  async start(): Promise<this> {
    process.env['TESTCONTAINERS_RYUK_DISABLED'] = 'true';
    await this.docker.createNetwork({ Name: this.networkName, Driver: 'bridge', Internal: true, Labels: { [TEST_LABEL]: this.runId } });
    return this;
  }

  container(image: string, alias: string): LabContainer {
    return new LabContainer(image)
      .withName(`${this.networkName}-${alias}`)
      .withNetworkMode(this.networkName)
      .withNetworkAliases(alias)
      .withLabels({ [TEST_LABEL]: this.runId })
      .withStartupTimeout(30_000);
  }

  /** The echo server (HTTP, HTTPS, UDP) from images/server, ready when it logs "ready". */
  server(alias: string, args: string[] = []): LabContainer {
    return this.container(SERVER_IMAGE, alias)
      .withCommand(['kconn-echo-server', ...args])
      .withWaitStrategy(Wait.forLogMessage(/ready/));
  }

  client(alias: string): LabContainer {
    return this.container(CLIENT_IMAGE, alias).withWaitStrategy(Wait.forSuccessfulCommand('true'));
  }

  async run(builder: GenericContainer): Promise<StartedTestContainer> {
    const c = await builder.start();
    this.started.push(c);
    return c;
  }

  exec(container: StartedTestContainer): DockerExec {
    return new DockerExec(this.docker, container.getName().replace(/^\//, ''));
  }

  ip(container: StartedTestContainer): string {
    return container.getIpAddress(this.networkName);
  }

  /** Runs a command as root in a container and fails loudly if it fails (test setup, not probes). */
  async sh(container: StartedTestContainer, argv: string[]): Promise<string> {
    const r = await container.exec(argv);
    if (r.exitCode !== 0) throw new Error(`${argv.join(' ')} failed (${r.exitCode}): ${r.output}`);
    return r.output;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.started.map((c) => c.stop({ timeout: 1 })));
    await sweep(this.docker, this.runId);
  }
}

/** Removes every container and network of a test run (by label), whatever state they are in. */
export async function sweep(docker: Docker, runId?: string): Promise<void> {
  const filters = JSON.stringify({ label: [runId ? `${TEST_LABEL}=${runId}` : TEST_LABEL] });
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.allSettled(containers.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  const networks = await docker.listNetworks({ filters });
  await Promise.allSettled(networks.map((n) => docker.getNetwork(n.Id).remove()));
}
