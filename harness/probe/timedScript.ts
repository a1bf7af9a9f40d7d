import { wholeSeconds } from './kinds/probeKind.js';

/**
 * File descriptor on which timedScript writes, when it is open, the time its deadline starts (EPOCHREALTIME, one
 * line) and, if the deadline passes, the time its timer woke up (a second line) and, for a probe that connects
 * (connectEvidence), what the kernel said of its connect at that moment (a third line, see connectEvidenceScript):
 * how late a timeout ended is then the timer's own lateness, which process start and teardown never inflate, and
 * whether the target answered is the kernel's word, which a starved source cannot blur. The batch script opens it to
 * a file; run by hand, nothing is written.
 */
export const DEADLINE_START_FD = 9;

/** TCP states in /proc/net/tcp (include/net/tcp_states.h): the two a pending connect can be in. */
export const TCP_ESTABLISHED = '01';
export const TCP_SYN_SENT = '02';

/**
 * Bash (builtins only: no process is started, so a starved source pays nothing more) that writes to
 * DEADLINE_START_FD one line on the TCP connect of process `$<pidVar>` at its deadline: `K <state> <synAgeUs>`.
 * It finds the process's socket by inode (`ino:` in /proc/<pid>/fdinfo/<fd>, Linux >= 5.14, of the fds that are
 * sockets) in /proc/net/tcp, then tcp6 (the source's own network namespace), and reads its state (02 SYN_SENT: the
 * SYN is still unanswered; 01 ESTABLISHED: the target answered, the probe process was not scheduled in time). For
 * SYN_SENT, how long ago the first SYN left, in µs, from its retransmit timer (USER_HZ ticks of 10 ms): the RTO
 * periods already past plus the current one (rto) less the time left on it (when). The SYN RTO stays at its first
 * value for the first net.ipv4.tcp_syn_linear_timeouts retransmits (Linux >= 6.5, default 4: "1, 1, 1, 1, 1, 2, 4,
 * ..." in Documentation/networking/ip-sysctl.rst), then doubles; without that file it doubles from the first (older
 * kernels). `K - 0`: no socket yet (name resolution or process start took the whole timeout); `K ? 0`: this kernel
 * does not say (a socket, but no `ino:` in its fdinfo).
 * Reading a table costs the kernel a walk of every bucket of its TCP hash, which all network namespaces share
 * (net.ipv4.tcp_ehash_entries: 262144 on the 24 GiB build machine, ~4.4 ms per read whatever the table holds), so
 * the tables are read into `kconn_T` (inode -> line) once, tcp6 only when a socket is not in tcp, and a caller that
 * looks at several connects at the same moment (the scheduler's deadlines that passed together) keeps that snapshot
 * with `kconn_tkeep=1`: each later call only looks its inodes up.
 * Format of /proc/net/tcp: https://www.kernel.org/doc/Documentation/networking/proc_net_tcp.txt (fields: sl local
 * rem st tx:rx tr:when retrnsmt uid timeout inode refcount pointer rto ...); `ino:` in fdinfo: Documentation/
 * filesystems/proc.rst, "/proc/<pid>/fdinfo/<fd>"; tcp_ehash_entries: Documentation/networking/ip-sysctl.rst.
 */
function connectEvidenceScript(pidVar: string): string {
  return [
    // Sockets only (`-S` through the fd's link), so no file's inode number can pass for a socket's; kf: a socket
    // was there, kn: the inodes its fdinfo gave.
    `kn=; kf=; for kx in /proc/$${pidVar}/fd/*; do [ -S "$kx" ] || continue; kf=1; while read -r kl kv; do [ "$kl" = ino: ] && { kn="$kn $kv "; break; }; done <"/proc/$${pidVar}/fdinfo/\${kx##*/}"; done`,
    'ks=-; ka=0; kl=',
    '[ -n "$kf" ] && [ -z "$kn" ] && ks=?',
    '[ -n "${kconn_tkeep:-}" ] || kconn_tk=',
    'if [ -n "$kn" ]; then',
    '  [ -n "${kconn_tk:-}" ] || kconn_tload 4',
    '  for kx in $kn; do kl=${kconn_T[$kx]:-}; [ -n "$kl" ] && break; done',
    '  if [ -z "$kl" ] && [ "$kconn_tk" = 4 ]; then kconn_tload 6; for kx in $kn; do kl=${kconn_T[$kx]:-}; [ -n "$kl" ] && break; done; fi',
    '  if [ -n "$kl" ]; then kr=($kl)',
    `  ks=\${kr[3]}; if [ "$ks" = ${TCP_SYN_SENT} ] && [ "\${kr[5]%%:*}" = 01 ]; then kw=$((16#\${kr[5]#*:})) kt=$((16#\${kr[6]})) ko=\${kr[12]}; [ "$kt" -gt 16 ] && kt=16`,
    '    kL=0; read -r kL </proc/sys/net/ipv4/tcp_syn_linear_timeouts 2>/dev/null; case "$kL" in ""|*[!0-9]*) kL=0 ;; esac',
    '    k0=$(( ko >> (kt > kL ? kt - kL : 0) )); ka=$(( ko - kw )); for (( ki = 0; ki < kt; ki++ )); do ka=$(( ka + (k0 << (ki > kL ? ki - kL : 0)) )); done',
    '    [ "$ka" -lt 0 ] && ka=0; ka=$((ka * 10000)); fi',
    '  fi',
    'fi',
    `echo "K $ks $ka" >&${DEADLINE_START_FD}`,
  ].join('\n');
}

/**
 * Reads /proc/net/tcp (`kconn_tload 4`, a new snapshot) or adds /proc/net/tcp6 (`kconn_tload 6`) into `kconn_T`, by
 * socket inode (field 10). The table's words are hex numbers and colons: split by the shell's own word splitting,
 * no glob can match them.
 */
const TABLE_LOAD_FUNCTION = [
  'kconn_tload() { local f=/proc/net/tcp kl kr',
  '  if [ "$1" = 6 ]; then f=/proc/net/tcp6; kconn_tk=46; else declare -gA kconn_T; kconn_T=(); kconn_tk=4; fi',
  '  [ -r "$f" ] || return 0',
  // The table in one read (mapfile): a line-by-line `read` seeks back after each line, and a table that changes in
  // between (other probes connecting) then skips or repeats lines.
  '  mapfile -t kR <"$f"; for kl in "${kR[@]:1}"; do kr=($kl); [ -n "${kr[9]:-}" ] && kconn_T[${kr[9]}]=$kl; done; return 0; }',
].join('\n');

/**
 * connectEvidenceScript as a bash function, `kconn_ev <pid>`, defined once in a script (it sets ks and ka, and
 * writes its line to DEADLINE_START_FD), with the table reader it calls.
 */
export const CONNECT_EVIDENCE_FUNCTION = `${TABLE_LOAD_FUNCTION}\nkconn_ev() { local kp=$1\n${connectEvidenceScript('kp')}\n}`;

/**
 * A bash script whose deadline starts at the connect, not at process start. `body` runs in a process substitution
 * whose stdout is a pipe to the script: it writes one byte there (`printf .`) right before it connects, and sends
 * whatever the tool prints to fd 4 (the script's stdout), keeping the pipe open until it exits (`5>&1 >&4`). The
 * script reads that byte, notes the time (on DEADLINE_START_FD, if open), then waits at most `$<timeoutArg>` seconds
 * (bash `read -t`, fractions allowed) for the pipe to close: closed means the body ended, and its exit code is the
 * script's; still open means the deadline passed: the body is killed and reaped, exit 124 like coreutils `timeout`.
 * So a source slow to start processes gets a later deadline, never a shorter one, and no process is left behind for
 * a PID 1 that never reaps. Needs bash >= 5.1 (`wait` for a process substitution).
 * With `connectEvidence` (a TCP connect), the kernel has the last word at the deadline (connectEvidenceScript): a
 * timeout stands only when the SYN went unanswered for 90% of the timeout (less 20 ms of timer ticks). A starved
 * source's body that had not connected yet, had its connection established but no CPU to end, or sent its SYN late,
 * gets one extension (the rest of the timeout since its SYN, or one whole timeout without one), so the target always
 * has its whole timeout, by the kernel's clock, and an answer the kernel saw is reported as one; a body the kernel
 * has no word on (it had just ended, or an old kernel) gets 20 ms for its exit code to come in. The kernel's last
 * word is noted for the caller. Such a probe ends within twice its timeout (connectDeadlineSeconds).
 * `leave: 'return'` gives the same steps as the body of a bash function (the batch script runs a probe so, inside
 * the process that already holds its slot, without starting a new bash). The kernel's word comes from `kconn_ev`
 * (CONNECT_EVIDENCE_FUNCTION): defined by the script itself with `defineEvidence`, else by the script around it.
 */
export function timedScript(body: string, timeoutArg: string, opts: { connectEvidence?: boolean; leave?: 'exit' | 'return'; defineEvidence?: boolean } = {}): string {
  const leave = opts.leave ?? 'exit';
  if (!opts.connectEvidence) {
    return [
      `exec 4>&1 8< <(${body}) || ${leave} 125`,
      'kp=$!',
      'read -r -N 1 -u 8 _',
      `{ echo "$EPOCHREALTIME" >&${DEADLINE_START_FD}; } 2>/dev/null`,
      `read -r -t "${timeoutArg}" -u 8 _`,
      `[ $? -gt 128 ] && { echo "$EPOCHREALTIME" >&${DEADLINE_START_FD}; kill -s KILL "$kp"; wait "$kp"; ${leave} 124; } 2>/dev/null`,
      'wait "$kp"',
    ].join('; ');
  }
  const evidence = 'kconn_ev "$kp"';
  const n = timeoutArg.slice(1);
  return [
    ...(opts.defineEvidence ? [CONNECT_EVIDENCE_FUNCTION] : []),
    // The body reports its own exit code on the pipe (`printf "%s\n" "$?"` at its end): bash's `wait` for a process
    // substitution that has already been reaped can answer 255 or -1 on a busy machine.
    `exec 4>&1 8< <(${body}; printf "%s\\n" "$?") || ${leave} 125`,
    'kp=$!; kc=; kr=',
    'read -r -N 1 -u 8 _',
    `{ echo "$EPOCHREALTIME" >&${DEADLINE_START_FD}; } 2>/dev/null`,
    // One byte under the timer, then the rest of the line (one write): a timer firing mid-line would lose its start.
    `read -r -t "${timeoutArg}" -N 1 -u 8 kc && { read -r -u 8 kr; kc=$kc$kr; }`,
    [
      'if [ $? -gt 128 ]; then',
      // The timeout in µs, from its decimal seconds.
      `  case "${timeoutArg}" in *.*) kI=\${${n}%%.*} kF=\${${n}#*.} ;; *) kI=${timeoutArg} kF= ;; esac; kF=\${kF}000000; kU=$(( 10#\${kI:-0} * 1000000 + 10#\${kF:0:6} ))`,
      `  { ${evidence}`,
      `  } 9>/dev/null 2>/dev/null`,
      '  kE=0; case "$ks" in 01|-) kE=$kU ;; "?") kE=20000 ;; 02) [ $(( ka * 10 )) -lt $(( kU * 9 - 200000 )) ] && kE=$(( kU - ka + 20000 )) ;; esac',
      '  kT=124; if [ "$kE" -gt 0 ]; then printf -v kS "%d.%06d" $(( kE / 1000000 )) $(( kE % 1000000 )); read -r -t "$kS" -N 1 -u 8 kc; [ $? -gt 128 ] || { kT=; [ -n "$kc" ] && read -r -u 8 kr; kc=$kc$kr; }; fi',
      `  [ -n "$kT" ] && { echo "$EPOCHREALTIME" >&${DEADLINE_START_FD}; ${evidence}`,
      `    kill -s KILL "$kp"; wait "$kp"; ${leave} 124; } 2>/dev/null`,
      'fi',
    ].join('\n'),
    'wait "$kp" 2>/dev/null; kw=$?',
    `case "$kc" in ""|*[!0-9]*) ${leave} "$kw" ;; *) ${leave} "$kc" ;; esac`,
  ].join('; ');
}

/** Hard deadline in whole seconds of a timedScript with connectEvidence: its timeout, one extension, and a second. */
export function connectDeadlineSeconds(timeoutMs: number): number {
  return wholeSeconds(2 * timeoutMs) + 1;
}
