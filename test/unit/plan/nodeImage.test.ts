import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { formatDiagnostic } from '../../../harness/load/diagnostic.js';
import { loadProject } from '../../../harness/load/loadProject.js';
import { checkImageReference, kubernetesVersionOfImage, parseImageReference } from '../../../harness/model/imageReference.js';
import { chooseNodeImage } from '../../../harness/plan/nodeImageChoice.js';
import { NODE_IMAGES } from '../../../harness/plan/nodeImages.js';
import { planRun, PlanError } from '../../../harness/plan/planRun.js';
import { renderPlanText } from '../../../harness/cli/renderPlan.js';
import { cluster, PLAN_OPTIONS, suite, topology } from '../../support/planFixtures.js';

// The node-image override (spec.nodeImage, --node-image): users of kind bring their own node images (a mirror, an
// air-gapped registry, a local build), and kconn's build machines run real clusters on one built here.

describe('image references', () => {
  const good: Array<[string, ReturnType<typeof parseImageReference>]> = [
    ['kindest/node:v1.34.4', { path: 'kindest/node', tag: 'v1.34.4' }],
    ['kconn/kind-node:v1.34.4-0123abcd', { path: 'kconn/kind-node', tag: 'v1.34.4-0123abcd' }],
    ['registry.local:5000/mirror/kindest/node:v1.36.4', { host: 'registry.local:5000', path: 'mirror/kindest/node', tag: 'v1.36.4' }],
    ['localhost/node:dev', { host: 'localhost', path: 'node', tag: 'dev' }],
    [`kindest/node@sha256:${'a'.repeat(64)}`, { path: 'kindest/node', digest: `sha256:${'a'.repeat(64)}` }],
    [NODE_IMAGES['v1.36.4']!, { path: 'kindest/node', tag: 'v1.36.4', digest: NODE_IMAGES['v1.36.4']!.split('@')[1]! }],
    ['[::1]:5000/node:v1', { host: '[::1]:5000', path: 'node', tag: 'v1' }],
  ];
  for (const [ref, parsed] of good) {
    it(`accepts ${ref}`, () => {
      expect(parseImageReference(ref)).to.deep.equal(parsed);
      expect(checkImageReference(ref)).to.equal(undefined);
    });
  }

  const bad: Array<[string, RegExp]> = [
    ['kindest/node', /neither a tag nor a digest.*never assumes :latest/],
    ['Kindest/Node:v1', /invalid image reference "Kindest\/Node:v1".*lowercase/],
    ['kindest/node:v1 ; rm -rf /', /invalid image reference/],
    ['kindest/node:', /invalid image reference/],
    ['kindest/node@sha256:abc', /invalid image reference/],
    ['-node:v1', /invalid image reference/],
    ['kindest//node:v1', /invalid image reference/],
    ['', /invalid image reference/],
    [`kindest/node:${'t'.repeat(129)}`, /invalid image reference/],
  ];
  for (const [ref, message] of bad) {
    it(`refuses ${JSON.stringify(ref)}`, () => expect(checkImageReference(ref)).to.match(message));
  }

  it('reads the Kubernetes version at the start of a tag, and only there', () => {
    const v = (ref: string) => kubernetesVersionOfImage(parseImageReference(ref)!);
    expect(v('kindest/node:v1.34.4')).to.equal('v1.34.4');
    expect(v('kconn/kind-node:v1.34.4-0123abcd')).to.equal('v1.34.4');
    expect(v('my/node:v1.35.0_rc')).to.equal('v1.35.0');
    expect(v('my/node:dev-v1.34.4')).to.equal(undefined);
    expect(v('my/node:v1.34.45x')).to.equal(undefined);
    expect(v(`my/node@sha256:${'b'.repeat(64)}`)).to.equal(undefined);
  });
});

describe('chooseNodeImage', () => {
  it('defaults to the digest pin of the Kubernetes version, and says so', () => {
    expect(chooseNodeImage(topology([cluster('main')], { kubernetesVersion: 'v1.35.8' }), undefined)).to.deep.equal({
      image: NODE_IMAGES['v1.35.8'], kubernetesVersion: 'v1.35.8', origin: "kconn's pin for Kubernetes v1.35.8",
    });
  });

  it('takes spec.nodeImage, and --node-image over it; the version comes from the tag unless declared', () => {
    const t = topology([cluster('main')], { nodeImage: 'mirror.local/kindest/node:v1.34.4' });
    expect(chooseNodeImage(t, undefined)).to.deep.equal({ image: 'mirror.local/kindest/node:v1.34.4', kubernetesVersion: 'v1.34.4', origin: 'spec.nodeImage' });
    expect(chooseNodeImage(t, 'kconn/kind-node:v1.34.4-abc')).to.deep.equal({ image: 'kconn/kind-node:v1.34.4-abc', kubernetesVersion: 'v1.34.4', origin: '--node-image' });
    expect(chooseNodeImage(topology([cluster('main')], { kubernetesVersion: 'v1.34.11' }), 'my/node:custom')).to.include({ kubernetesVersion: 'v1.34.11' });
    expect(chooseNodeImage(topology([cluster('main')]), 'my/node:custom')).to.include({ kubernetesVersion: 'unknown' });
  });

  it('refuses a malformed override, located at the field or named by the flag', () => {
    const source = { file: 'clusters/mine.yaml', doc: 0, path: ['spec', 'nodeImage'], line: 7, col: 14 };
    const t = topology([cluster('main')], { nodeImage: 'Node', nodeImageSource: source });
    expect(chooseNodeImage(t, undefined)).to.have.property('problem').that.matches(/^clusters\/mine\.yaml:7:14: spec\.nodeImage: invalid image reference "Node"/);
    expect(chooseNodeImage(t, 'kindest/node')).to.have.property('problem').that.matches(/^--node-image kindest\/node: image reference "kindest\/node" has neither a tag nor a digest/);
  });

  it('refuses a tag that names another Kubernetes version than spec.kubernetesVersion', () => {
    const t = topology([cluster('main')], { kubernetesVersion: 'v1.36.4' });
    expect(chooseNodeImage(t, 'kindest/node:v1.34.4')).to.deep.equal({
      problem: '--node-image kindest/node:v1.34.4: the image\'s tag names Kubernetes v1.34.4, but spec.kubernetesVersion is v1.36.4: drop one or make them agree',
    });
  });
});

describe('planRun with a node image override', () => {
  it('puts the image in every kind node, the plan text and the version the reports carry', () => {
    const plan = planRun(topology([cluster('east', { workers: 2 }), cluster('west')]), [suite('s')], { ...PLAN_OPTIONS, nodeImage: 'kconn/kind-node:v1.34.4-0123abcd' });
    expect(plan.kubernetesVersion).to.equal('v1.34.4');
    expect(plan.nodeImageOrigin).to.equal('--node-image');
    for (const c of plan.clusters) {
      expect(c.nodeImage).to.equal('kconn/kind-node:v1.34.4-0123abcd');
      const nodes = c.kindConfig['nodes'] as Array<{ image: string }>;
      expect(nodes.map((n) => n.image)).to.deep.equal(nodes.map(() => 'kconn/kind-node:v1.34.4-0123abcd'));
    }
    expect(renderPlanText(plan)).to.include('  node image:   kconn/kind-node:v1.34.4-0123abcd (--node-image)');
  });

  it('throws a PlanError for a malformed --node-image, together with the other problems', () => {
    const run = () => planRun(topology([cluster('main')]), [suite('s')], { ...PLAN_OPTIONS, nodeImage: 'x y:z', suites: ['nope'] });
    expect(run).to.throw(PlanError).with.property('problems').that.deep.equals([
      '--suite nope: no such suite; available: s',
      '--node-image x y:z: invalid image reference "x y:z": expected [registry[:port]/]name[:tag][@sha256:<64 hex digits>], the name in lowercase',
    ]);
  });
});

describe('spec.nodeImage in a topology file', () => {
  async function loadTopology(nodeImageLine: string) {
    const dir = mkdtempSync(join(tmpdir(), 'kconn-node-image-'));
    try {
      const text = ['apiVersion: kconn.dev/v1alpha1', 'kind: Topology', 'metadata: {name: mine}', 'spec:', nodeImageLine, '  clusters: [{name: main}]', ''].join('\n');
      writeFileSync(join(dir, 'mine.yaml'), text);
      return await loadProject(['mine.yaml'], { cwd: dir });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('is loaded with its position', async () => {
    const project = await loadTopology('  nodeImage: kconn/kind-node:v1.34.4-0123abcd');
    expect(project.diagnostics).to.deep.equal([]);
    expect(project.topologies[0]).to.deep.include({ nodeImage: 'kconn/kind-node:v1.34.4-0123abcd' });
    expect(project.topologies[0]!.nodeImageSource).to.deep.include({ line: 5, path: ['spec', 'nodeImage'] });
  });

  it('a malformed one is an error naming the file, line and field', async () => {
    const project = await loadTopology('  nodeImage: kindest/node');
    const shown = project.diagnostics.map(formatDiagnostic);
    expect(shown).to.have.length(1);
    expect(shown[0]).to.match(/mine\.yaml:5:\d+: .*spec\.nodeImage.*neither a tag nor a digest/);
  });
});
