import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { REPO_ROOT } from '../support/paths.js';

/** Runs the real `kconn` bin in the repository root, as a user would. */
async function kconn(...args: string[]) {
  return execa(process.execPath, [join(REPO_ROOT, 'bin', 'kconn.js'), ...args], { cwd: REPO_ROOT, reject: false, timeout: 60_000, env: { KCONN_CACHE_DIR: '/cache/kconn' } });
}

interface Cell {
  from: string;
  to: string;
  port: number;
  protocol: string;
  allowed: boolean;
  loopback: boolean;
  reason: string;
}

describe('kconn expect (as a process)', function () {
  this.timeout(120_000);

  it('--output json: every ordered pair (self included) on every port, with the documented fields', async () => {
    const r = await kconn('expect', 'suites/netpol-default-deny.yaml', '--output', 'json');
    expect(r.exitCode, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout) as { cells: Cell[]; pods: string[] };
    const pods = ['x/a', 'x/b', 'y/a', 'y/b'];
    expect(out.pods).to.deep.equal(pods);
    expect(out.cells.map((c) => `${c.from} ${c.to}`)).to.deep.equal(pods.flatMap((f) => pods.map((t) => `${f} ${t}`)));
    for (const c of out.cells) {
      expect(c).to.include.keys('from', 'to', 'port', 'protocol', 'allowed');
      expect([c.port, c.protocol]).to.deep.equal([80, 'TCP']);
      // default deny ingress in x: nothing reaches x from another pod; y is open; a pod reaches itself.
      expect(c.allowed, `${c.from} -> ${c.to}`).to.equal(c.from === c.to || c.to.startsWith('y/'));
    }
    const blocked = out.cells.find((c) => c.from === 'y/a' && c.to === 'x/b')!;
    expect(blocked.reason).to.equal(
      'blocked: egress of y/a open (no policy selects it for egress); ingress of x/b denied: isolated by x/default-deny-ingress, and no ingress rule allows from y/a on 80/TCP',
    );
    expect(out.cells.find((c) => c.from === 'x/a' && c.to === 'x/a')!.loopback).to.equal(true);
  });

  it('text (the default): one grid per port, rows from, columns to', async () => {
    const r = await kconn('expect', 'suites/netpol-ports.yaml');
    expect(r.exitCode, r.stderr).to.equal(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).to.equal('suite netpol-ports (suites/netpol-ports.yaml): 3 pods, 4 port(s), 2 policies');
    const at = lines.indexOf('81/UDP (serve-81-udp): 5 allowed, 4 blocked');
    expect(at, r.stdout).to.be.greaterThan(0);
    expect(lines.slice(at + 1, at + 5)).to.deep.equal(['from \\ to  x/a x/b y/a', 'x/a        *   X   .', 'x/b        X   *   .', 'y/a        X   X   .']);
    expect(lines).to.include('82/TCP (serve-82-tcp): 7 allowed, 2 blocked');
  });

  it('bad input: located messages and exit 1', async () => {
    const ports = await kconn('expect', 'test/fixtures/invalid/truth-table-ports.yaml', '--output', 'json');
    expect(ports.exitCode).to.equal(1);
    expect(ports.stdout).to.equal('');
    expect(ports.stderr).to.match(/^test\/fixtures\/invalid\/truth-table-ports\.yaml:15:9: spec\.truthTable\.ports\[2\]: duplicate port 80\/TCP \(first at spec\.truthTable\.ports\[0\]\)$/m);
    const policies = await kconn('expect', 'test/fixtures/truth-table/suite.yaml');
    expect(policies.exitCode).to.equal(1);
    expect(policies.stderr).to.include('test/fixtures/truth-table/bad-selector.yaml:8:31: spec.podSelector.matchLabels.pod name: invalid label key "pod name"');
    const none = await kconn('expect', 'suites/basic.yaml');
    expect(none.exitCode).to.equal(1);
    expect(none.stderr).to.equal('suites/basic.yaml: no suite with a truthTable here (spec.truthTable: namespaces, ports, policies)');
    const missing = await kconn('expect', 'suites/nope.yaml');
    expect(missing.exitCode).to.equal(1);
    expect(missing.stderr).to.include('suites/nope.yaml:1:1: no such file or directory');
  });

  it('a file with several truth tables needs --suite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kconn-expect-'));
    try {
      const table = (name: string, port: number) =>
        `apiVersion: kconn.dev/v1alpha1\nkind: Suite\nmetadata: {name: ${name}}\nspec:\n  truthTable:\n    namespaces: {x: {pods: {a: {}}}}\n    ports: [{port: ${port}}]\n`;
      writeFileSync(join(dir, 'two.yaml'), `${table('one', 80)}---\n${table('two', 81)}`);
      const both = await kconn('expect', join(dir, 'two.yaml'));
      expect(both.exitCode).to.equal(1);
      expect(both.stderr).to.include('holds 2 suites with a truthTable (one, two): choose one with --suite NAME');
      const two = await kconn('expect', join(dir, 'two.yaml'), '--suite', 'two', '--output', 'json');
      expect(two.exitCode, two.stderr).to.equal(0);
      expect((JSON.parse(two.stdout) as { cells: Cell[] }).cells.map((c) => [c.from, c.to, c.port, c.allowed])).to.deep.equal([['x/a', 'x/a', 81, true]]);
      const wrong = await kconn('expect', join(dir, 'two.yaml'), '--suite', 'three');
      expect(wrong.exitCode).to.equal(1);
      expect(wrong.stderr).to.include('--suite three: no such suite with a truthTable');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('wrong usage: exit 2', async () => {
    const noFile = await kconn('expect');
    expect(noFile.exitCode).to.equal(2);
    expect(noFile.stderr).to.match(/^error: missing required argument 'suite-file'/);
    const output = await kconn('expect', 'suites/netpol-ports.yaml', '--output', 'yaml');
    expect(output.exitCode).to.equal(2);
    expect(output.stderr).to.include("argument 'yaml' is invalid. Allowed choices are text, json.");
    const extra = await kconn('expect', 'suites/netpol-ports.yaml', 'suites/netpol-ipblock.yaml');
    expect(extra.exitCode).to.equal(2);
    const option = await kconn('expect', '--frob', 'suites/netpol-ports.yaml');
    expect(option.exitCode).to.equal(2);
    expect(option.stderr).to.equal("error: unknown option '--frob'\n(kconn expect --help shows its usage)");
  });
});
