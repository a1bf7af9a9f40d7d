import { CONNECT_EVIDENCE_FUNCTION, DEADLINE_START_FD } from './timedScript.js';

/** A plain TCP connect the batch script runs itself (no `until`): its target and timeout. */
export interface DirectConnect {
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
}

/** How often the scheduler looks at its pipe while it waits (a slot, a deadline, the end): its timers' grain. */
export const SCHEDULER_TICK_US = 10_000;

/**
 * How long a passed deadline of a direct connect may wait for others due soon, so that they share one read of the
 * kernel's tables (~4.4 ms of the source's CPU each, timedScript.ts). Within MAX_LATE_MS (model/probe.ts), so that a
 * timeout the kernel says nothing of still counts as on time.
 */
export const DEADLINE_GROUP_US = 100_000;

/**
 * Bash functions of the batch script (batchScript.ts) that start its probes, at most `cap` at a time, and keep the
 * deadlines of its direct connects. The script opens fd 5 (a pipe nothing writes: its sleeps) and fd 6 (a pipe: its
 * probes' news) before they run.
 * - A direct connect is one process, the connector (`exec 3<>/dev/tcp/...`): no timer process per probe (timedScript),
 *   since on a busy 2-core machine each process a source starts costs it ~8 ms of CPU. A connector writes
 *   `<id> S <time>` on fd 6 right before it connects and `<id> E <exit> <time>` when the connect ended; its error
 *   message goes to `<id>.e`. Any other probe runs in a subshell (kconn_go) that writes `<id> G` when it is done.
 * - The main shell never reads its pipe under a timer (a timed `read` that fires mid-line loses what it had read):
 *   it reads what `read -t 0` says is there, and sleeps on fd 5 for a tick (SCHEDULER_TICK_US) or to the next
 *   deadline, whichever is sooner.
 * - A direct connect's deadline is its start plus its timeout. There the kernel has the last word, as in timedScript:
 *   a connect whose SYN the kernel saw unanswered for 90% of the timeout times out (exit 124, the connector killed);
 *   one not yet started, established but not yet reported, or whose SYN left late gets one extension; one the kernel
 *   has no word on (the connector had just ended, its line on its way; or an old kernel) gets 20 ms for its line. The
 *   deadline, the timer's wake-up and the kernel's word go to `<id>.t` (DEADLINE_START_FD's format), the result to
 *   `<id>.r`, as kconn_probe writes them, so the confirmation and the report read every probe alike.
 * Needs bash >= 5.1 (associative arrays, EPOCHREALTIME, `read -t 0`).
 */
export function schedulerLines(cap: number): string[] {
  return [
    // The kernel's word on a connect (also what the TCP kind's function, kconn_tcp, calls).
    CONNECT_EVIDENCE_FUNCTION,
    'declare -A kconn_P kconn_F kconn_S kconn_D kconn_X kconn_U',
    // In flight: every probe. `${a[@]+...}`: an empty array is unset to `set -u`.
    `kconn_n=0; kconn_cap=${Math.max(1, Math.floor(cap))}; kconn_want=; kconn_W=0`,
    // id host port timeoutUs
    'kconn_tgo() { kconn_slot; local id=$1 t=${EPOCHREALTIME/./}',
    '  kconn_F[$id]=$t; kconn_U[$id]=$4; kconn_D[$id]=$(( t + $4 )); kconn_X[$id]=; : >"$d/$id.o"',
    '  ( printf "%s S %s\\n" "$id" "$EPOCHREALTIME" >&6; exec 5>&- 2>"$d/$id.e" 3<>"/dev/tcp/$2/$3"; printf "%s E %s %s\\n" "$id" "$?" "$EPOCHREALTIME" >&6 ) </dev/null >/dev/null &',
    '  kconn_P[$id]=$!; kconn_n=$((kconn_n + 1)); }',
    // Any other probe: kconn_go kconn_probe <id> ...
    'kconn_go() { kconn_slot; kconn_n=$((kconn_n + 1)); { "$@"; printf "%s G\\n" "$2" >&6; } & }',
    // One line of a probe: a connect started (its deadline from then) or ended (its result), or another probe done.
    'kconn_line() { local id=$1 k=$2 a=${3:-} b=${4:-}',
    '  if [ "$k" = G ]; then kconn_n=$((kconn_n - 1)); return 0; fi',
    '  [ -n "${kconn_D[$id]:-}" ] || return 0',
    '  if [ "$k" = S ]; then kconn_S[$id]=${a/./}; kconn_D[$id]=$(( ${a/./} + kconn_U[$id] )); return 0; fi',
    '  local s=${kconn_S[$id]:-${kconn_F[$id]}}',
    '  printf "%s\\n" "${s:0:-6}.${s: -6}" >"$d/$id.t"',
    '  printf "%s %s %s %s 1\\n" "$a" "${kconn_F[$id]}" "$s" "${b/./}" >"$d/$id.r"',
    '  unset "kconn_D[$id]" "kconn_P[$id]"; kconn_n=$((kconn_n - 1)); }',
    // Every line already in the pipe; kconn_got: how many.
    'kconn_collect() { local id k a b; kconn_got=0; while read -r -t 0 -u 6; do read -r -u 6 id k a b || break; kconn_line "$id" "$k" "$a" "$b"; kconn_got=$((kconn_got + 1)); done; }',
    // Every direct connect whose deadline passed: extended once when the kernel does not yet say it timed out, else
    // ended (counted in kconn_got). Deadlines that pass close together are looked at together, with one read of the
    // kernel's tables (kconn_tkeep, timedScript.ts): a passed deadline waits while another connect's deadline comes
    // within DEADLINE_GROUP_US, at most that long past its own, and never while a probe waits for a slot. kconn_W:
    // when the scheduler must look again (µs since the epoch; 0: nothing to wait for).
    'kconn_expire() { local id now=${EPOCHREALTIME/./} kp ks ka ext s old=0 soon=0; kconn_tk=; kconn_W=0',
    '  for id in ${kconn_D[@]+"${!kconn_D[@]}"}; do',
    '    if [ "${kconn_D[$id]}" -le "$now" ]; then { [ "$old" = 0 ] || [ "${kconn_D[$id]}" -lt "$old" ]; } && old=${kconn_D[$id]}',
    `    else { [ "$soon" = 0 ] || [ "\${kconn_D[$id]}" -lt "$soon" ]; } && soon=\${kconn_D[$id]}; fi`,
    '  done',
    '  [ "$old" = 0 ] && { kconn_W=$soon; return 0; }',
    `  if [ -z "$kconn_want" ] && [ "$soon" != 0 ] && [ $(( soon - now )) -le ${DEADLINE_GROUP_US} ] && [ $(( old + ${DEADLINE_GROUP_US} )) -gt "$now" ]; then`,
    `    kconn_W=$(( old + ${DEADLINE_GROUP_US} )); [ "$soon" -lt "$kconn_W" ] && kconn_W=$soon; return 0`,
    '  fi',
    // First the kernel's word on every due connect, then one kill for those that timed out, then their results.
    '  local out=() pids=(); for id in ${kconn_D[@]+"${!kconn_D[@]}"}; do [ "${kconn_D[$id]}" -le "$now" ] || continue; kp=${kconn_P[$id]}',
    `    kconn_tkeep=1 kconn_ev "$kp" ${DEADLINE_START_FD}>/dev/null 2>/dev/null`,
    '    ext=0; if [ -z "${kconn_X[$id]}" ]; then case "$ks" in 01|-) ext=${kconn_U[$id]} ;; "?") ext=20000 ;; 02) [ $(( ka * 10 )) -lt $(( kconn_U[$id] * 9 - 200000 )) ] && ext=$(( kconn_U[$id] - ka + 20000 )) ;; esac; fi',
    '    if [ "$ext" -gt 0 ]; then kconn_X[$id]=1; kconn_D[$id]=$(( now + ext )); continue; fi',
    '    s=${kconn_S[$id]:-${kconn_F[$id]}}',
    '    printf "%s\\n%s\\nK %s %s\\n" "${s:0:-6}.${s: -6}" "${now:0:-6}.${now: -6}" "$ks" "$ka" >"$d/$id.t"',
    '    out+=("$id"); pids+=("$kp"); unset "kconn_D[$id]" "kconn_P[$id]"',
    '  done',
    '  [ ${#pids[@]} -gt 0 ] && { kill -s KILL "${pids[@]}"; wait "${pids[@]}"; } 2>/dev/null',
    '  for id in ${out[@]+"${out[@]}"}; do',
    '    printf "124 %s %s %s 1\\n" "${kconn_F[$id]}" "${kconn_S[$id]:-${kconn_F[$id]}}" "$now" >"$d/$id.r"',
    '    kconn_n=$((kconn_n - 1)); kconn_got=$((kconn_got + 1))',
    '  done',
    '  for id in ${kconn_D[@]+"${!kconn_D[@]}"}; do { [ "$kconn_W" = 0 ] || [ "${kconn_D[$id]}" -lt "$kconn_W" ]; } && kconn_W=${kconn_D[$id]}; done',
    '  return 0; }',
    // One turn: read the news, end what is due, and if nothing came sleep $1 µs or until the scheduler must look
    // again, whichever is sooner.
    'kconn_turn() { local w now; kconn_collect; kconn_expire; [ "$kconn_got" -gt 0 ] && return 0',
    '  w=$1; now=${EPOCHREALTIME/./}; [ "$kconn_W" != 0 ] && [ $(( kconn_W - now )) -lt "$w" ] && w=$(( kconn_W - now ))',
    '  [ "$w" -gt 0 ] && { printf -v w "%d.%06d" $(( w / 1000000 )) $(( w % 1000000 )); read -r -t "$w" -u 5 _; }; return 0; }',
    `kconn_slot() { kconn_want=1; while [ "$kconn_n" -ge "$kconn_cap" ]; do kconn_turn ${SCHEDULER_TICK_US}; done; kconn_want=; }`,
    // Every probe to its end, looking twice a tick: the last news only ends the batch, which can wait that long.
    `kconn_drain() { while [ "$kconn_n" -gt 0 ]; do kconn_turn ${SCHEDULER_TICK_US * 2}; done; }`,
  ];
}
