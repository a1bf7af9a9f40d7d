import { expect } from 'chai';
import { fillTopologyValues, topologyValueProblem, topologyValueRefs } from '../../../harness/model/topologyValues.js';

const clusters = new Map([
  ['east', { podSubnet: '10.10.0.0/16', serviceSubnet: '10.110.0.0/16' }],
  ['west', { podSubnet: '10.20.0.0/16', serviceSubnet: '10.120.0.0/16' }],
]);

describe('topology values in manifests: ${clusters.<name>.<field>}', () => {
  it('fills every reference from the planned clusters, wherever it is in the text', () => {
    const text = 'a: "${clusters.east.podSubnet}"\nb: [${clusters.west.serviceSubnet}, x]\nc: ${clusters.east.serviceSubnet}-${clusters.west.podSubnet}\n';
    expect(fillTopologyValues(text, clusters, 'm.yaml')).to.equal('a: "10.10.0.0/16"\nb: [10.120.0.0/16, x]\nc: 10.110.0.0/16-10.20.0.0/16\n');
    expect(fillTopologyValues('no references: ${HOME} {clusters.east.podSubnet}', clusters, 'm.yaml')).to.equal('no references: ${HOME} {clusters.east.podSubnet}');
  });

  it('finds references with their lines, misspelt ones included', () => {
    expect(topologyValueRefs('x\ny: ${clusters.east.podSubnt}\n\nz: ${clusters..podSubnet}')).to.deep.equal([
      { text: '${clusters.east.podSubnt}', cluster: 'east', field: 'podSubnt', line: 2 },
      { text: '${clusters..podSubnet}', cluster: '', field: 'podSubnet', line: 4 },
    ]);
  });

  it('refuses an unknown field or cluster, naming the file and line', () => {
    expect(() => fillTopologyValues('a: 1\nb: ${clusters.east.nodes}\n', clusters, 'm.yaml')).to.throw('m.yaml:2: ${clusters.east.nodes}: unknown field "nodes" (a cluster\'s podSubnet or serviceSubnet)');
    expect(() => fillTopologyValues('b: ${clusters.north.podSubnet}\n', clusters, 'm.yaml')).to.throw('m.yaml:1: ${clusters.north.podSubnet}: no cluster "north" in the topology (its clusters: east, west)');
    expect(topologyValueProblem({ text: '', cluster: 'east', field: 'podSubnet', line: 1 }, clusters)).to.equal(undefined);
  });
});
