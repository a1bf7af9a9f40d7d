import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import * as jsYaml from 'js-yaml';
import { CLIENT_IMAGE, requireDocker } from '../support/dockerLab.js';
import { REPO_ROOT } from '../support/paths.js';

interface Container {
  name: string;
  command?: string[];
  args?: string[];
}

/** Every container of the shipped manifests that overrides its command (the long-lived client pods). */
function clientContainers(): { file: string; container: Container; grace: unknown }[] {
  const dir = join(REPO_ROOT, 'manifests');
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).flatMap((f) => {
    const docs: unknown[] = [];
    jsYaml.loadAll(readFileSync(join(dir, f), 'utf8'), (d) => docs.push(d));
    return docs.flatMap((d) => {
      const spec = (d as { spec?: { template?: { spec?: { containers?: Container[]; terminationGracePeriodSeconds?: unknown } } } })?.spec?.template?.spec;
      return (spec?.containers ?? []).filter((c) => c.command).map((c) => ({ file: f, container: c, grace: spec?.terminationGracePeriodSeconds }));
    });
  });
}

/** Process states inside a container, from /proc (no ps needed). */
async function states(id: string): Promise<string[]> {
  const r = await execa('docker', ['exec', id, 'bash', '-c', 'for f in /proc/[0-9]*/stat; do read -r l < "$f" && echo "$l"; done']);
  return r.stdout.split('\n').map((l) => l.split(' ').slice(1, 3).join(' '));
}

describe('client pods: PID 1 stops on SIGTERM and reaps orphans (the exact command of the manifests)', function () {
  this.timeout(60_000);
  const clients = clientContainers();

  it('the manifests have client containers with a short grace period', () => {
    expect(clients.length).to.be.greaterThan(0);
    for (const c of clients) expect(c.grace, `${c.file} ${c.container.name}`).to.be.a('number').and.at.most(5);
  });

  for (const { file, container } of clients) {
    it(`${file} ${container.name}: docker stop returns at once, and no zombie is left after probes`, async function () {
      await requireDocker(this);
      const argv = [...(container.command ?? []), ...(container.args ?? [])];
      const id = (await execa('docker', ['run', '-d', '--rm', '--label', 'kconn.dev/test-run=pid1', '--entrypoint', argv[0]!, CLIENT_IMAGE, ...argv.slice(1)])).stdout.trim();
      try {
        // Orphans, as a busybox `timeout` watcher leaves them: their parent exits first, so PID 1 inherits them.
        for (let i = 0; i < 3; i++) await execa('docker', ['exec', id, 'bash', '-c', '(sleep 0.2 &); true']);
        await new Promise((r) => setTimeout(r, 800));
        const procs = await states(id);
        expect(procs.filter((p) => p.endsWith(' Z')), procs.join(', ')).to.deep.equal([]);
        const started = Date.now();
        await execa('docker', ['stop', '--time', '10', id]);
        expect(Date.now() - started, 'PID 1 ignored SIGTERM: stop waited for the kill').to.be.below(3000);
      } finally {
        await execa('docker', ['rm', '-f', id], { reject: false });
      }
    });
  }
});
