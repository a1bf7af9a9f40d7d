import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { parseCidr } from '../model/cidr.js';
import { parseDuration } from '../model/duration.js';
import { runIdProblem } from '../model/runId.js';
import type { CommandIO } from '../session/commandIO.js';
import { contextArgProblem } from '../session/contextMapping.js';
import type { Progress } from '../session/progress.js';
import type { RunOptions } from './runCommand.js';
import type { UpOptions } from './upCommand.js';

// Every command's module is imported when that command runs, not here: `kconn --help` must not pay for loading the
// Kubernetes client, Docker and execa (about 0.4 s of a 0.45 s start).

/**
 * Exit codes, for every command and flag: 0 success; 1 a problem in the input or the run (a file, what a flag names
 * such as an unknown CNI or suite, a failed cluster or test); 2 wrong usage: the command line itself cannot be read
 * (unknown command or option, missing or excess argument, a flag value of the wrong form).
 */
const EXIT_USAGE = 2;

const io: CommandIO = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

let progress: Progress | undefined;
async function sharedProgress(): Promise<Progress> {
  progress ??= (await import('../session/progress.js')).createProgress();
  return progress;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function durationArg(value: string): string {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError('Expected a duration such as 90s, 15m or 1h.');
  return value;
}

function kindNetworkArg(value: string): string {
  if (value === 'none') return value;
  const parsed = parseCidr(value);
  if (!parsed.ok) throw new InvalidArgumentError(`${parsed.reason} (or "none").`);
  return value;
}

/** `--context NAME` or `--context cluster=context` (the names are checked against the topology and kubeconfig later). */
function contextArg(value: string, previous: string[]): string[] {
  const problem = contextArgProblem(value);
  if (problem !== undefined) throw new InvalidArgumentError(problem);
  return [...previous, value];
}

function runIdArg(value: string): string {
  const problem = runIdProblem(value);
  if (problem !== undefined) throw new InvalidArgumentError(`${problem}.`);
  return value;
}

/**
 * True when the command line may ask for --version (or -V, alone or among short flags; Commander accepts it after a
 * command name too). A false positive only costs the time to compute the text.
 */
function versionRequested(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--version' || /^-[^-]*V/.test(a));
}

const program = new Command()
  .name('kconn')
  .description('Kubernetes networking test harness: kind clusters, pluggable CNIs, declarative connectivity and DNS suites')
  // Commander exits 1 on usage errors; it throws instead, and the catch at the end maps them to EXIT_USAGE.
  // Set before the commands are added: they inherit it.
  .exitOverride();

// The version text loads the registries of CNIs, providers and tools: only when it is asked for.
program.version(
  versionRequested(process.argv.slice(2)) ? (await import('./versionText.js')).versionLines().join('\n') : '',
  '-V, --version',
  'print the versions of kconn and of what it pins (kind, helm, Kubernetes, CNIs, multi-cluster providers)',
);

program
  .command('validate')
  .description('check topology, suite and manifest files; print every problem as file:line:col')
  .argument('[paths...]', 'files or folders (default: clusters suites manifests)')
  .action(async (paths: string[]) => {
    const { validateCommand } = await import('./validateCommand.js');
    process.exitCode = await validateCommand(paths, io);
  });

program
  .command('plan')
  .description('print what a run would do (clusters, subnets, kind configs, steps, suites), without Docker')
  .option('--topology <file>', 'topology file (default: clusters/default.yaml)')
  .option('--cni <name>', 'use this CNI for every cluster')
  .option('--node-image <image>', "kind node image for every cluster ([registry/]name:tag or @sha256:digest; default: the topology's spec.nodeImage, else kconn's pinned kindest/node)")
  .option('--suite <name>', 'only this suite (repeatable)', collect, [])
  .option('--suites-dir <dir>', 'folder of suites (default: suites)')
  .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
  .option('--run-id <id>', 'run id used in cluster names (1-6 lowercase letters or digits)', runIdArg, 'plan')
  .option('--kind-network <cidr>', 'subnet of the kind Docker network, or "none"; asked from Docker when omitted', kindNetworkArg)
  .action(async (opts: { topology?: string; cni?: string; nodeImage?: string; suite: string[]; suitesDir?: string; output: string; runId: string; kindNetwork?: string }) => {
    const { planCommand } = await import('./planCommand.js');
    process.exitCode = await planCommand(opts, io);
  });

program
  .command('expect')
  .description('print the reachability a truth-table suite expects, computed from its NetworkPolicies (no cluster)')
  .argument('<suite-file>', 'a suite file with a truthTable')
  .option('--suite <name>', 'the suite to print, when the file holds several with a truthTable')
  .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
  .action(async (file: string, opts: { suite?: string; output: string }) => {
    const { expectCommand } = await import('./expectCommand.js');
    process.exitCode = await expectCommand(file, opts, io);
  });

program
  .command('cnis')
  .description('print every CNI with its version, capabilities and known differences (each with its upstream source)')
  .addOption(new Option('--output <format>', 'output format (markdown: the README block)').choices(['text', 'json', 'markdown']).default('text'))
  .action(async (opts: { output: string }) => {
    const { cnisCommand } = await import('./cnisCommand.js');
    process.exitCode = cnisCommand(opts, io);
  });

const report = program.command('report').description('work on reports written by kconn run');
report
  .command('merge')
  .description("merge cells' results.json (from separate runs or CI jobs) into one junit.xml and summary.md; --baseline compares with an earlier merge")
  .argument('<dirs...>', 'folders holding results.json (searched a few levels deep)')
  .option('--out <dir>', 'where the merged reports go', 'reports/merged')
  .option('--baseline <dir>', 'an earlier run to compare with (its merged output or its cells): new failures, fixes, still failing, flaky')
  .action(async (dirs: string[], opts: { out: string; baseline?: string }) => {
    const { reportMergeCommand } = await import('./reportCommand.js');
    process.exitCode = await reportMergeCommand(dirs, opts, io);
  });

program
  .command('schema')
  .description('write the JSON Schemas of the file kinds to schema/ (for editors)')
  .option('--check', 'fail when schema/ is out of date instead of writing')
  .action(async (opts: { check?: boolean }) => {
    const { schemaCommand } = await import('./schemaCommand.js');
    process.exitCode = await schemaCommand(opts.check ?? false, io);
  });

/** The options `up` and `run` share: which clusters, how long, and what to keep or reuse. */
function clusterCommand(name: string, description: string, keepHelp: string): Command {
  return program
    .command(name)
    .description(description)
    .option('--topology <file>', 'topology file (default: clusters/default.yaml)')
    .option('--cni <name>', 'use this CNI for every cluster')
    .option('--node-image <image>', "kind node image for every cluster ([registry/]name:tag or @sha256:digest; default: the topology's spec.nodeImage, else kconn's pinned kindest/node)")
    .option('--timeout <duration>', 'bound on provisioning and the run; everything created is removed when it expires (e.g. 15m)', durationArg)
    .option('--keep', keepHelp)
    .option('--reuse', 'reuse the kept clusters of an earlier run built from the same plan');
}

clusterCommand('up', 'provision the clusters of a topology and stop there (prints kubeconfig paths)', 'on failure, keep what was created (for debugging)').action(
  async (opts: UpOptions) => {
    const { upCommand } = await import('./upCommand.js');
    process.exitCode = await upCommand(opts, io, await sharedProgress());
  },
);

clusterCommand('run', 'provision, run the suites (mocha), write JUnit and results.json to reports/<run-id>/, tear down', 'keep clusters (and manifests) after the run')
  .option('--suite <name>', 'only this suite (repeatable)', collect, [])
  .option('--reports-dir <dir>', 'where reports go', 'reports')
  .addOption(
    new Option('--kubeconfig <file>', 'run on clusters you already have (no kind, nothing provisioned or torn down; only what kconn applies is removed); --cni then declares their CNI instead of detecting it')
      .conflicts(['keep', 'reuse', 'nodeImage']),
  )
  .option('--context <name|cluster=context>', 'with --kubeconfig: the context of a topology cluster (repeatable; default: the context named like the cluster; a bare name for a one-cluster topology)', contextArg, [])
  .action(async (opts: RunOptions) => {
    const { runCommand } = await import('./runCommand.js');
    process.exitCode = await runCommand(opts, io, await sharedProgress());
  });

/**
 * Option defaults kept in modules too heavy to load for `kconn --help`: read when their command is about to parse its
 * arguments (so `kconn up --help` shows them too).
 */
const lazyDefaults: Readonly<Record<string, () => Promise<Record<string, string>>>> = {
  up: async () => ({ timeout: (await import('./upCommand.js')).DEFAULT_UP_TIMEOUT }),
  run: async () => ({ timeout: (await import('./runCommand.js')).DEFAULT_RUN_TIMEOUT }),
};
program.hook('preSubcommand', async (_program, sub) => {
  const defaults = (await lazyDefaults[sub.name()]?.()) ?? {};
  for (const [key, value] of Object.entries(defaults)) {
    sub.options.find((o) => o.attributeName() === key)?.default(value);
    sub.setOptionValueWithSource(key, value, 'default');
  }
});

program
  .command('matrix')
  .description('run one isolated cell (kconn run) per CNI x Kubernetes version, at most N at once, then merge their reports (junit.xml, summary.md, index.html)')
  .option('--topology <file>', 'topology file (default: clusters/default.yaml)')
  .requiredOption('--cni <names>', 'CNIs, comma-separated (e.g. flannel,calico,cilium)')
  .option('--k8s <versions>', "Kubernetes versions, comma-separated (default: the topology's own)")
  .option('--node-image <image>', "kind node image for every cluster ([registry/]name:tag or @sha256:digest; default: the topology's spec.nodeImage, else kconn's pinned kindest/node)")
  .option('--suite <name>', 'only this suite (repeatable)', collect, [])
  .option('--parallel <n>', 'cells at once (default: from CPUs and memory, counting nodes; printed)')
  .option('--timeout <duration>', 'bound on the whole matrix and on each cell; every cell is stopped and cleaned when it expires (e.g. 90m)', durationArg)
  .option('--reports-dir <dir>', 'where reports go (reports/<matrix-id>/<cell>/ and reports/<matrix-id>/merged/)', 'reports')
  .option('--baseline <dir>', 'an earlier merge to compare with (new failures, fixes, still failing, flaky)')
  .action(async (opts: { topology?: string; cni: string; k8s?: string; nodeImage?: string; suite: string[]; parallel?: string; timeout?: string; reportsDir: string; baseline?: string }) => {
    const { runMatrix } = await import('../session/matrixRun.js');
    process.exitCode = await runMatrix(opts, io);
  });

program
  .command('down')
  .description('remove the clusters of a run (the newest one by default)')
  .option('--run-id <id>', 'the run to remove')
  .option('--all', 'every recorded run')
  .action(async (opts: { runId?: string; all?: boolean }) => {
    const { downCommand } = await import('./downCommand.js');
    process.exitCode = await downCommand(opts, io, await sharedProgress());
  });

program
  .command('prune')
  .description('remove every kconn cluster, container and network left by crashed runs (running and kept runs stay)')
  .option('--all', 'also remove clusters kept with kconn up or run --keep')
  .action(async (opts: { all?: boolean }) => {
    const { pruneCommand } = await import('./pruneCommand.js');
    process.exitCode = await pruneCommand(opts, io, await sharedProgress());
  });

program
  .command('doctor')
  .description('check Docker, kind, helm, kernel limits and Node, and say how to fix what is missing')
  .action(async () => {
    const [{ doctorExitCode, formatDoctor, runDoctor }, { cacheDir }] = await Promise.all([import('../provision/doctor.js'), import('../session/environment.js')]);
    const checks = await runDoctor({ cacheDir: cacheDir() });
    for (const line of formatDoctor(checks)) io.out(line);
    process.exitCode = doctorExitCode(checks);
  });

// After a usage error, one line that says where the usage is, rather than the whole help.
program.showHelpAfterError('(kconn --help lists the commands)');
for (const command of program.commands) command.showHelpAfterError(`(kconn ${command.name()} --help shows its usage)`);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (!(e instanceof CommanderError)) throw e;
  // Commander has printed the help, the version or the error; --help, `help` and --version end with 0.
  process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE;
}
