import type { ProbeResult } from '../../../harness/model/probe.js';
import type { RunReport } from '../../../harness/model/runReport.js';

/** Probe output with everything XML must escape or cannot carry: markup, quotes, NUL, ESC, BEL, VT, FF, CR, a lone surrogate. */
export const NASTY_STDOUT = 'K\tconnected 200 <html lang="en">\'Tom & Jerry\' ]]> </html>\x00\x1b[31mred\x1b[0m\x07\n';
export const NASTY_STDERR = 'warn\x0b\x0cline\r\nnext \ud800 ok \u{1F600}\n';
/** NASTY_STDOUT/STDERR as they must read back from the JUnit text (indented): forbidden characters dropped, CRLF as LF, nothing else. */
export const NASTY_STDOUT_IN_XML = '    K\tconnected 200 <html lang="en">\'Tom & Jerry\' ]]> </html>[31mred[0m\n';
export const NASTY_STDERR_IN_XML = '    warnline\n    next  ok \u{1F600}\n';

const probe = (over: Partial<ProbeResult>): ProbeResult => ({
  outcome: 'connected',
  id: 'p1',
  spec: { kind: 'http', scheme: 'http', host: 'echo.demo.svc', port: 8080, path: '/hostname', timeoutMs: 2000 },
  source: 'pod east/demo/client-abc',
  latencyMs: 12,
  attempts: 1,
  command: ['timeout', '3', 'curl', '-sS', 'http://echo.demo.svc:8080/hostname'],
  exitCode: 0,
  stdout: '',
  stderr: '',
  reproduce: "kubectl --kubeconfig '/tmp/k c/kubeconfig' -n demo exec client-abc -c client -- timeout 3 curl -sS http://echo.demo.svc:8080/hostname",
  ...over,
});

export const FAIL_REPRODUCE = `kubectl -n demo exec client-abc -c client -- curl -sS 'http://echo.demo.svc:8080/?a=1&b="2"'`;

/** Three suites: pass, flaky pass, fail, error; a not supported and a plain skip and a pass with markup in its name; one with no tests. */
export function runReportFixture(): RunReport {
  return {
    runId: 'run-2025-11-25-abc',
    topology: 'east-west',
    kindVersion: 'v0.31.0',
    kubernetesVersion: 'v1.35.8',
    clusters: [
      { name: 'east', kindName: 'kconn-east', cni: 'calico', cniVersion: 'v3.32.1', nodeImage: 'kconn/kind-node:v1.34.4-0123abcd' },
      { name: 'west', kindName: 'kconn-west', cni: 'flannel', cniVersion: 'v0.28.9' },
    ],
    startedAt: '2025-11-25T12:00:00.250Z',
    finishedAt: '2025-11-25T12:01:30.750Z',
    suites: [
      {
        name: 'basic',
        file: 'suites/basic.yaml',
        durationMs: 42_500,
        tests: [
          { suite: 'basic', name: 'client reaches echo over HTTP [east]', cluster: 'east', status: 'pass', durationMs: 120, attempts: 1, results: [probe({})] },
          {
            suite: 'basic',
            name: 'client reaches echo over HTTP [west]',
            cluster: 'west',
            status: 'pass',
            flaky: true,
            durationMs: 3250,
            attempts: 3,
            results: [probe({ id: 'p2', source: 'pod west/demo/client-def', attempts: 3 })],
          },
          {
            suite: 'basic',
            name: 'echo is blocked by policy',
            cluster: 'east',
            status: 'fail',
            expected: 'blocked (timeout or refused)',
            observed: 'connected HTTP 200 backend echo-1 <&>',
            reproduce: FAIL_REPRODUCE,
            durationMs: 2001,
            attempts: 3,
            results: [
              probe({ id: 'p3', httpStatus: 200, backend: 'echo-1', body: 'echo-1', attempts: 3, stdout: NASTY_STDOUT, stderr: NASTY_STDERR }),
              probe({ id: 'p4', source: 'pod east/demo/client-xyz', httpStatus: 200, backend: 'echo-2', attempts: 3 }),
            ],
          },
          {
            suite: 'basic',
            name: 'echo FQDN resolves',
            cluster: 'east',
            status: 'error',
            observed: 'error (tool missing in the source: dig)',
            message: 'exec failed: pods "client-abc" not found',
            reproduce: 'kubectl -n demo exec client-abc -c client -- dig +short echo.demo.svc.cluster.local A',
            durationMs: 15,
            attempts: 1,
            results: [
              probe({
                id: 'p5',
                outcome: 'error',
                reason: 'tool missing in the source: dig',
                spec: { kind: 'dns', name: 'echo.demo.svc.cluster.local', recordType: 'A', timeoutMs: 2000 },
                exitCode: 127,
                stderr: 'bash: dig: command not found\n',
              }),
            ],
          },
        ],
      },
      {
        name: 'network-policy',
        file: 'suites/network-policy.yaml',
        durationMs: 0,
        tests: [
          { suite: 'network-policy', name: 'deny all', status: 'skip', message: 'requires networkPolicy: cluster "west" (flannel) has none', skipKind: 'unsupported', durationMs: 0, attempts: 0, results: [] },
          { suite: 'network-policy', name: 'allow <from> & "to"', status: 'skip', message: "needs 'networkPolicy' & <calico>", durationMs: 0, attempts: 0, results: [] },
          { suite: 'network-policy', name: 'a <b> & \'c\' "d"\x01', status: 'pass', durationMs: 5, attempts: 1, results: [] },
        ],
      },
      { name: 'empty', file: 'suites/empty.yaml', durationMs: 0, tests: [] },
    ],
  };
}
