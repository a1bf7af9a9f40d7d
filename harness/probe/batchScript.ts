import type { UntilCondition } from './kinds/probeKind.js';
import { shellJoin, shellQuote } from './shellQuote.js';

/** One probe inside a batch script. */
export interface ScriptEntry {
  /** Position in the batch; only digits reach the script. */
  readonly index: number;
  /** Hard deadline of one attempt, seconds. */
  readonly deadlineSeconds: number;
  readonly argv: readonly string[];
  /** Poll until the condition holds or `withinMs` has passed. */
  readonly until?: { readonly withinMs: number; readonly intervalMs: number; readonly condition: UntilCondition };
}

/** What the script reports for one probe: the last attempt's exit code and output, and how many attempts ran. */
export interface ScriptRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly startUs: number;
  readonly endUs: number;
  readonly attempts: number;
}

/** What the script itself needs besides bash; GNU coreutils and busybox both provide them. */
export const SCRIPT_TOOLS = ['timeout', 'mktemp', 'base64', 'grep', 'head', 'tr', 'sleep'] as const;

/** Output kept per probe stream; enough for any status line, hostname or error message. */
const MAX_OUTPUT = 65536;

/**
 * A bash script that runs every probe concurrently (each in the background, under its own `timeout`), then prints
 * one machine-readable line per probe: `KCONN-PROBE <index> <exit> <startUs> <endUs> <attempts> <b64 out> <b64 err>`.
 * Every value that came from a suite is single-quoted (shellQuote); the script's own text holds no user value.
 * Needs bash >= 5 (EPOCHREALTIME), coreutils-style timeout, mktemp, base64, grep and head.
 */
export function buildBatchScript(entries: readonly ScriptEntry[]): string {
  const lines = [
    'set -u',
    'export LC_ALL=C',
    // Preflight: a missing helper tool makes every probe an error, never a silent timeout.
    `m=; for t in ${SCRIPT_TOOLS.join(' ')}; do command -v "$t" >/dev/null 2>&1 || m="$m $t"; done`,
    '[ -z "$m" ] || { for t in $m; do echo "KCONN-MISSING $t"; done; exit 91; }',
    '[ -n "${EPOCHREALTIME:-}" ] || { echo "KCONN-MISSING bash>=5"; exit 91; }',
    'd=$(mktemp -d) || { echo "KCONN-FATAL mktemp failed"; exit 90; }',
    'trap \'rm -rf "$d"\' EXIT',
    // Exit code in a set, and every pattern (o: stdout, e: stderr) matching.
    'kconn_match() { local rc=$1 codes=$2 o=$3 e=$4; shift 4',
    '  case " $codes " in *" $rc "*) ;; *) return 1 ;; esac',
    '  while [ $# -gt 1 ]; do',
    '    if [ "$1" = o ]; then grep -Eq -e "$2" "$o" || return 1; else grep -Eq -e "$2" "$e" || return 1; fi',
    '    shift 2',
    '  done; }',
    // id deadline withinUs intervalUs intervalS codes [o|e pattern]... -- argv...
    'kconn_probe() { local id=$1 dl=$2 within=$3 ivus=$4 ivs=$5 codes=$6; shift 6',
    '  local pats=(); while [ "$1" != -- ]; do pats+=("$1" "$2"); shift 2; done; shift',
    '  local n=0 rc s e limit=$(( ${EPOCHREALTIME/./} + within ))',
    '  while :; do',
    '    n=$((n + 1)); s=${EPOCHREALTIME/./}',
    '    timeout "$dl" "$@" >"$d/$id.o" 2>"$d/$id.e"; rc=$?',
    '    e=${EPOCHREALTIME/./}',
    '    [ "$within" -eq 0 ] && break',
    '    kconn_match "$rc" "$codes" "$d/$id.o" "$d/$id.e" "${pats[@]}" && break',
    '    [ $(( e + ivus )) -ge "$limit" ] && break',
    '    sleep "$ivs"',
    '  done',
    '  printf "%s %s %s %s\\n" "$rc" "$s" "$e" "$n" >"$d/$id.r"; }',
    `kconn_b64() { if [ -s "$1" ]; then head -c ${MAX_OUTPUT} "$1" | base64 | tr -d '\\n'; else printf -; fi; }`,
  ];
  for (const entry of entries) {
    const u = entry.until;
    const pats = u ? [...(u.condition.stdout ?? []).flatMap((p) => ['o', p]), ...(u.condition.stderr ?? []).flatMap((p) => ['e', p])] : [];
    const head = [
      String(entry.index),
      String(entry.deadlineSeconds),
      String(u ? Math.round(u.withinMs * 1000) : 0),
      String(u ? Math.round(u.intervalMs * 1000) : 0),
      String(u ? u.intervalMs / 1000 : 0),
      u ? u.condition.codes.join(' ') : '',
    ];
    lines.push(`kconn_probe ${head.map(shellQuote).join(' ')} ${pats.length ? `${shellJoin(pats)} ` : ''}-- ${shellJoin(entry.argv)} &`);
  }
  lines.push('wait');
  lines.push(`for id in ${entries.map((e) => e.index).join(' ') || ':'}; do`);
  lines.push('  [ "$id" = : ] && continue');
  lines.push('  if [ -r "$d/$id.r" ]; then read -r rc s e n <"$d/$id.r"; else rc=-1 s=0 e=0 n=0; fi');
  lines.push('  printf "KCONN-PROBE %s %s %s %s %s %s %s\\n" "$id" "$rc" "$s" "$e" "$n" "$(kconn_b64 "$d/$id.o")" "$(kconn_b64 "$d/$id.e")"');
  lines.push('done');
  lines.push('echo KCONN-END');
  return `${lines.join('\n')}\n`;
}

export class BatchOutputError extends Error {}

/** Reads the script's lines back; entries the script did not report are absent from the map. */
export function parseBatchOutput(stdout: string): { runs: Map<number, ScriptRun>; complete: boolean; missing: string[] } {
  const runs = new Map<number, ScriptRun>();
  const missing: string[] = [];
  let complete = false;
  for (const line of stdout.split('\n')) {
    if (line === 'KCONN-END') complete = true;
    if (line.startsWith('KCONN-MISSING ')) missing.push(line.slice('KCONN-MISSING '.length));
    if (!line.startsWith('KCONN-PROBE ')) continue;
    const f = line.split(' ');
    if (f.length !== 8 || !f.slice(1, 6).every((x) => /^-?\d+$/.test(x!))) throw new BatchOutputError(`malformed probe line: ${line.slice(0, 200)}`);
    const decode = (b: string): string => (b === '-' ? '' : Buffer.from(b, 'base64').toString('utf8'));
    const exitCode = Number(f[2]);
    if (exitCode < 0) continue; // the probe never wrote its result
    runs.set(Number(f[1]), {
      exitCode,
      startUs: Number(f[3]),
      endUs: Number(f[4]),
      attempts: Number(f[5]),
      stdout: decode(f[6]!),
      stderr: decode(f[7]!),
    });
  }
  return { runs, complete, missing };
}
