import type { UntilCondition } from './kinds/probeKind.js';
import { DEADLINE_START_FD, TCP_SYN_SENT } from './timedScript.js';
import { schedulerLines, type DirectConnect } from './probeScheduler.js';
import { shellJoin, shellQuote } from './shellQuote.js';

/** One probe inside a batch script. */
export interface ScriptEntry {
  /** Position in the batch; only digits reach the script. */
  readonly index: number;
  /** Hard deadline of one attempt, whole seconds (`timeout` around the argv); 0: the argv times itself. */
  readonly deadlineSeconds: number;
  readonly argv: readonly string[];
  /** Poll until the condition holds or `withinMs` has passed. */
  readonly until?: { readonly withinMs: number; readonly intervalMs: number; readonly condition: UntilCondition };
  /**
   * When the probe's result may need a lone re-run: exit codes that can mean timeout or refused (`negative`), those
   * that can mean timeout (`timeout`), and how long the tool waits before it reports a timeout (`waitMs`).
   */
  readonly confirm?: { readonly negative: readonly number[]; readonly timeout: readonly number[]; readonly waitMs: number };
  /** A bash function the argv calls (a probe kind's inBatch form), defined once per script. */
  readonly define?: string;
  /**
   * A plain TCP connect (no `until`): phase 1 runs it as one connector process whose deadline the script keeps
   * (probeScheduler.ts); its lone re-run still runs the argv.
   */
  readonly direct?: DirectConnect;
}

/** The positive control of a batch: a probe known to answer, exit 0 when it did. */
export interface ScriptControl {
  /** As ScriptEntry's. */
  readonly deadlineSeconds: number;
  readonly argv: readonly string[];
  readonly define?: string;
  /** As ScriptEntry's: the batch's two control runs are direct connects, the lone ones run the argv. */
  readonly direct?: DirectConnect;
  /**
   * A control vouches for the batch's timeouts that have no word from the kernel only when it answered within this
   * long (µs): one that answers, but slowly, shows a source too busy to keep its probes' time.
   */
  readonly fastUs: number;
}

export interface ScriptOptions {
  /** Most probes in flight at once (controls included). */
  readonly cap: number;
  readonly control?: ScriptControl;
  /** The batch's only probe runs alone already (no control, one entry): no lone phase. */
  readonly lonePhase: boolean;
  /** A timeout that ended later than its wait plus this is re-run alone, even with the controls answering. */
  readonly maxLateMs: number;
}

/** What the script itself needs besides bash; GNU coreutils and busybox both provide them. */
export const SCRIPT_TOOLS = ['timeout', 'mktemp', 'base64', 'grep', 'head', 'tr', 'sleep'] as const;

/** Output kept per probe stream; enough for any status line, hostname or error message. */
const MAX_OUTPUT = 65536;

/** Everything before the probes: preflight, helpers. Holds no value from a suite. */
function prologue(opts: ScriptOptions): string[] {
  const slackUs = 10_000;
  return [
    'set -u',
    'export LC_ALL=C',
    // Preflight: a missing helper tool makes every probe an error, never a silent timeout.
    `m=; for t in ${SCRIPT_TOOLS.join(' ')}; do command -v "$t" >/dev/null 2>&1 || m="$m $t"; done`,
    '[ -z "$m" ] || { for t in $m; do echo "KCONN-MISSING $t"; done; exit 91; }',
    // EPOCHREALTIME is bash 5.0; `wait` for a process substitution (kinds/probeKind.ts timedScript) is 5.1.
    '[ "${BASH_VERSINFO[0]}${BASH_VERSINFO[1]}" -ge 51 ] 2>/dev/null || { echo "KCONN-MISSING bash>=5.1"; exit 91; }',
    // Run by the agent (scriptSession.ts): its work directory and its pipes (fd 5 for sleeps, fd 6 for the probes'
    // news), emptied of what an earlier script left (a killed connector's last line). Run alone: its own, the
    // directory in memory where the source has /dev/shm (files on an overlay filesystem cost CPU a busy source has
    // not got).
    'if [ -n "${KCONN_WORK:-}" ]; then d=$KCONN_WORK; while read -r -t 0 -u 6; do read -r -u 6 _; done',
    'else',
    '  d=$(mktemp -d -p "${TMPDIR:-/dev/shm}" 2>/dev/null || mktemp -d) || { echo "KCONN-FATAL mktemp failed"; exit 90; }',
    '  trap \'rm -rf "$d"\' EXIT',
    '  exec 5<> <(:) 6<> <(:) || { echo "KCONN-FATAL no pipes for the probes"; exit 90; }',
    'fi',
    ...schedulerLines(opts.cap),
    // Runs reported besides the batch's own: lone re-runs and lone controls.
    'kconn_more=',
    // Exit code in a set, and every pattern (o: stdout, e: stderr) matching.
    'kconn_match() { local rc=$1 codes=$2 o=$3 e=$4; shift 4',
    '  case " $codes " in *" $rc "*) ;; *) return 1 ;; esac',
    '  while [ $# -gt 1 ]; do',
    '    if [ "$1" = o ]; then grep -Eq -e "$2" "$o" || return 1; else grep -Eq -e "$2" "$e" || return 1; fi',
    '    shift 2',
    '  done; }',
    // name deadline withinUs intervalUs intervalS codes [o|e pattern]... -- argv... ; kconn_once=1: one attempt.
    'kconn_probe() { local id=$1 dl=$2 within=$3 ivus=$4 ivs=$5 codes=$6; shift 6',
    '  local pats=(); while [ "$1" != -- ]; do pats+=("$1" "$2"); shift 2; done; shift',
    '  [ -z "${kconn_once:-}" ] || within=0',
    '  local n=0 rc s e f=${EPOCHREALTIME/./} w=(); local limit=$(( f + within )); [ "$dl" = 0 ] || w=(timeout "$dl")',
    '  while :; do',
    '    n=$((n + 1)); s=${EPOCHREALTIME/./}',
    `    "\${w[@]}" "$@" 5>&- 6>&- ${DEADLINE_START_FD}>"$d/$id.t" </dev/null >"$d/$id.o" 2>"$d/$id.e"; rc=$?`,
    '    e=${EPOCHREALTIME/./}',
    '    [ "$within" -eq 0 ] && break',
    '    kconn_match "$rc" "$codes" "$d/$id.o" "$d/$id.e" "${pats[@]}" && break',
    '    [ $(( e + ivus )) -ge "$limit" ] && break',
    '    sleep "$ivs"',
    '  done',
    '  printf "%s %s %s %s %s\\n" "$rc" "$f" "$s" "$e" "$n" >"$d/$id.r"; }',
    'kconn_ok() { local rc x; [ -r "$d/$1.r" ] && read -r rc x <"$d/$1.r" && [ "$rc" = 0 ]; }',
    // The control, alone: c<k>. A failed one stops the lone phase (the source is starved or broken).
    'kconn_k=2; kconn_stop=',
    'kconn_ctl() { kconn_probe "c$kconn_k" "${C[@]}"; kconn_more="$kconn_more c$kconn_k"; kconn_ok "c$kconn_k" || kconn_stop=$kconn_k; kconn_k=$((kconn_k + 1)); }',
    // A control that answered within $2 µs.
    'kconn_fast() { local rc f s e n; [ -r "$d/$1.r" ] && read -r rc f s e n <"$d/$1.r" && [ "$rc" = 0 ] && [ $(( e - s )) -le "$2" ]; }',
    // id negativeCodes timeoutCodes waitUs -- entry args: re-run a negative alone unless the batch vouches for it
    // (controls answered, and it is a timeout that the kernel saw unanswered for 90% of its wait or, where the kernel
    // does not say, controls answered fast and it ended on time). A timeout whose connect the kernel saw answered or
    // not yet started was a starved source's: always re-run alone.
    `kconn_confirm() { local id=$1 neg=$2 tmo=$3 wait=$4; shift 5`,
    '  local rc f s e n; [ -s "$d/$id.r" ] || return 0; read -r rc f s e n <"$d/$id.r"',
    '  case " $neg " in *" $rc "*) ;; *) return 0 ;; esac',
    '  case " $tmo " in *" $rc "*)',
    '    local t0= t1= kk= ks= ka=; { read -r t0; read -r t1; read -r kk ks ka; } <"$d/$id.t" 2>/dev/null',
    '    if [ "$kk" = K ] && [ "$ks" != "?" ]; then',
    `      [ "$kconn_answered" = 1 ] && [ "$ks" = ${TCP_SYN_SENT} ] && [ $(( ka * 10 )) -ge $(( wait * 9 - ${slackUs * 20} )) ] && return 0`,
    // The timer's own lateness when the probe noted it (timedScript): process start and teardown never count.
    '    elif [ "$kconn_vouch" = 1 ]; then [ -n "$t1" ] && s=${t0/./} e=${t1/./}',
    `      [ $(( e - s )) -ge $(( wait - ${slackUs} )) ] && [ $(( e - s )) -le $(( wait + ${Math.round(opts.maxLateMs * 1000)} )) ] && return 0`,
    '    fi ;; esac',
    '  if [ "$kconn_hasctl" = 1 ]; then',
    '    [ -z "$kconn_stop" ] && kconn_ctl',
    '    [ -n "$kconn_stop" ] && { echo "KCONN-SKIP $id $kconn_stop"; return 0; }',
    '    echo "KCONN-LONE $id $((kconn_k - 1))"',
    '  else echo "KCONN-LONE $id -"; fi',
    '  kconn_once=1 kconn_probe "$id.L" "$@"; kconn_more="$kconn_more $id.L"; kconn_lone=1; }',
    `kconn_b64() { head -c ${MAX_OUTPUT} "$1" | base64 | tr -d '\\n'; }`,
  ];
}

/** Words of at least this length used more than once (a probe kind's script) are defined once, as W<n>. */
const HOIST_MIN_LENGTH = 32;

/** Long argv words that repeat across the batch, each with the variable that holds it. */
function hoistedWords(argvs: readonly (readonly string[])[]): Map<string, string> {
  const seen = new Map<string, number>();
  for (const argv of argvs) for (const w of new Set(argv)) if (w.length >= HOIST_MIN_LENGTH) seen.set(w, (seen.get(w) ?? 0) + 1);
  const out = new Map<string, string>();
  for (const [w, n] of seen) if (n > 1) out.set(w, `W${out.size}`);
  return out;
}

/** An argv as shell words: a hoisted word as its variable (double-quoted: the exact same string), others quoted. */
function argvWords(argv: readonly string[], hoisted: ReadonlyMap<string, string>): string {
  return argv.map((w) => (hoisted.has(w) ? `"$${hoisted.get(w)!}"` : shellQuote(w))).join(' ');
}

/** Starts a direct connect: its values single-quoted, the timeout in µs. */
function directStart(id: string, c: DirectConnect): string {
  return `kconn_tgo ${id} ${shellQuote(c.host)} ${shellQuote(String(c.port))} ${Math.round(c.timeoutMs * 1000)}`;
}

/** The lines that define and start one probe (phase 1), and the line that confirms it (phase 2). */
function entryLines(entry: ScriptEntry, hoisted: ReadonlyMap<string, string> = new Map()): { define: string; confirm: string } {
  const u = entry.until;
  const pats = u ? [...(u.condition.stdout ?? []).flatMap((p) => ['o', p]), ...(u.condition.stderr ?? []).flatMap((p) => ['e', p])] : [];
  const head = [
    String(entry.deadlineSeconds),
    String(u ? Math.round(u.withinMs * 1000) : 0),
    String(u ? Math.round(u.intervalMs * 1000) : 0),
    String(u ? u.intervalMs / 1000 : 0),
    u ? u.condition.codes.join(' ') : '',
  ];
  const id = String(entry.index);
  const start = entry.direct && !u ? directStart(id, entry.direct) : `kconn_go kconn_probe ${id} "\${E${id}[@]}"`;
  const define = `E${id}=(${head.map(shellQuote).join(' ')} ${pats.length ? `${shellJoin(pats)} ` : ''}-- ${argvWords(entry.argv, hoisted)}); ${start}`;
  const c = entry.confirm;
  const confirm = c
    ? `kconn_confirm ${id} ${shellQuote(c.negative.join(' '))} ${shellQuote(c.timeout.join(' '))} ${Math.round(c.waitMs * 1000)} -- "\${E${id}[@]}"`
    : '';
  return { define, confirm };
}

/** Size in bytes of the script for these entries: what one exec argument carries. */
export function batchScriptBytes(entries: readonly ScriptEntry[], opts: ScriptOptions): number {
  return Buffer.byteLength(buildBatchScript(entries, opts), 'utf8');
}

/** Bytes one entry adds to a script (for splitting a batch by size without building every candidate). */
export function entryScriptBytes(entry: ScriptEntry): number {
  const { define, confirm } = entryLines(entry);
  return Buffer.byteLength(define, 'utf8') + Buffer.byteLength(confirm, 'utf8') + 2 + String(entry.index).length * 2 + 2;
}

/**
 * A bash script that runs a batch of probes inside one source, in two phases.
 * 1. At most `cap` probes in flight, each under its own deadline; the positive control (if any) is the first probe
 *    started and the last one, so it sees the batch's busiest moments.
 *    Plain TCP connects run as one process each, their deadlines kept by the script (probeScheduler.ts).
 * 2. Every negative (an exit code in its `negative` set) is re-run alone, one after the other, with nothing else in
 *    flight from the source, each between two runs of the control, unless the batch vouches for it: controls given
 *    and both answered, and it is a timeout whose connect the kernel saw unanswered for at least 90% of its wait or,
 *    where the probe has no word from the kernel, one that took its tool's wait, not more than `maxLateMs` longer,
 *    beside controls that answered within `control.fastUs`. When a control fails alone, the lone phase stops
 *    (KCONN-SKIP).
 * Then it prints one line per run: `KCONN-RUN <name> <exit> <firstStartUs> <startUs> <endUs> <attempts>
 * <deadlineStartUs or 0> <deadlineEndUs or 0> <connect state or _> <SYN age µs or 0> <b64 out or -> <b64 err or ->`,
 * where name is the entry's index (batch run), `<index>.L` (lone re-run) or `c<k>` (control run k: 0 and
 * 1 in the batch, 2... alone), plus `KCONN-LONE <index> <k>` (re-run alone right after control k, followed by control
 * k+1; `-` without control) and `KCONN-SKIP <index> <k>` (not re-run: control k failed alone).
 * Every value that came from a suite is single-quoted (shellQuote); the script's own text holds no user value.
 * Needs bash >= 5 (EPOCHREALTIME, read -N), coreutils-style timeout, mktemp, base64, grep and head.
 */
export function buildBatchScript(entries: readonly ScriptEntry[], opts: ScriptOptions): string {
  const lines = prologue(opts);
  const control = opts.control;
  // The runs of this batch by name; a directory the agent reuses may hold an earlier batch's, so theirs are emptied.
  const ids = [...entries.map((e) => String(e.index)), ...(control ? ['c0', 'c1'] : [])].join(' ');
  lines.push(`for id in ${ids}; do : >"$d/$id.r"; done`);
  // A probe kind's script is the same in every probe of the kind: defined once, it keeps the exec request small.
  const hoisted = hoistedWords([...entries.map((e) => e.argv), ...(control ? [control.argv] : [])]);
  for (const [word, name] of hoisted) lines.push(`${name}=${shellQuote(word)}`);
  for (const definition of new Set([...entries.map((e) => e.define), control?.define])) if (definition) lines.push(definition);
  lines.push(`kconn_hasctl=${control ? 1 : 0}; kconn_answered=0; kconn_vouch=0; kconn_lone=`);
  if (control) {
    lines.push(`C=(${control.deadlineSeconds} 0 0 0 '' -- ${argvWords(control.argv, hoisted)})`);
    lines.push(control.direct ? directStart('c0', control.direct) : 'kconn_go kconn_probe c0 "${C[@]}"');
  }
  const parts = entries.map((e) => entryLines(e, hoisted));
  for (const p of parts) lines.push(p.define);
  if (control) lines.push(control.direct ? directStart('c1', control.direct) : 'kconn_go kconn_probe c1 "${C[@]}"');
  lines.push('kconn_drain; wait');
  if (opts.lonePhase) {
    if (control) {
      lines.push('kconn_ok c0 && kconn_ok c1 && kconn_answered=1');
      lines.push(`kconn_fast c0 ${Math.round(control.fastUs)} && kconn_fast c1 ${Math.round(control.fastUs)} && kconn_vouch=1`);
    }
    for (const p of parts) if (p.confirm) lines.push(p.confirm);
    // The control after the last lone re-run.
    if (control) lines.push('[ -n "$kconn_lone" ] && [ -z "$kconn_stop" ] && kconn_ctl');
  }
  lines.push(`for id in ${ids} $kconn_more; do`);
  lines.push('  r="$d/$id.r"; [ -s "$r" ] || continue; read -r rc f s e n <"$r"; t0= t1= kk= ks= ka=; { read -r t0; read -r t1; read -r kk ks ka; } <"$d/$id.t" 2>/dev/null');
  lines.push('  o=-; [ -s "$d/$id.o" ] && o=$(kconn_b64 "$d/$id.o"); x=-; [ -s "$d/$id.e" ] && x=$(kconn_b64 "$d/$id.e")');
  lines.push('  [ "$kk" = K ] || ks=; t0=${t0/./}; t1=${t1/./}; printf "KCONN-RUN %s %s %s %s %s %s %s %s %s %s %s %s\\n" "$id" "$rc" "$f" "$s" "$e" "$n" "${t0:-0}" "${t1:-0}" "${ks:-_}" "${ka:-0}" "$o" "$x"');
  lines.push('done');
  lines.push('echo KCONN-END');
  return `${lines.join('\n')}\n`;
}
