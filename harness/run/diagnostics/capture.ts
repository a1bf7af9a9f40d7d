import { randomBytes } from 'node:crypto';
import type { ProbeResult } from '../../model/probe.js';
import type { PodExec } from '../../probe/podExec.js';

/** Packets the capture keeps at most, and bytes of each. */
export const CAPTURE_MAX_PACKETS = 1000;
export const CAPTURE_SNAPLEN = 512;
/** Lines of `tcpdump -r capture.pcap -nn` in the text summary. */
export const CAPTURE_SUMMARY_LINES = 40;

/**
 * Runs in the source, as `bash -c CAPTURE_SCRIPT kconn-capture NONCE SECONDS PROBE-ARGV...`: a constant script, every
 * value a positional argument (nothing is pasted into it). Starts tcpdump on every interface into a fresh file, waits
 * (at most 5 s) until it is listening, runs the probe's argv once, gives replies half a second, stops tcpdump, and prints
 * sections between `--NONCE-- name` lines: the probe's exit code and output, tcpdump's messages, the capture in base64,
 * and the first lines of `tcpdump -r FILE -nn`. The files are removed on exit. `sleep` is bash's own `read -t`
 * (busybox sleep may not take fractions); `timeout` bounds tcpdump should the script be cut short.
 */
export const CAPTURE_SCRIPT = `set -u
nonce=$1; secs=$2; shift 2
mark() { printf '\\n--%s-- %s\\n' "$nonce" "$1"; }
pause() { read -rt "$1" <> <(:) || :; }
command -v tcpdump >/dev/null 2>&1 || { echo 'tcpdump is not installed in the source' >&2; exit 127; }
f=$(mktemp /tmp/kconn-capture.XXXXXX) || exit 70
trap 'rm -f "$f" "$f.log" "$f.out"' EXIT
timeout "$secs" tcpdump -i any -nn -U --immediate-mode -s ${CAPTURE_SNAPLEN} -c ${CAPTURE_MAX_PACKETS} -w "$f" 2>"$f.log" &
pid=$!
n=0
until grep -q 'listening on' "$f.log" 2>/dev/null; do
  kill -0 "$pid" 2>/dev/null || break
  [ "$n" -ge 50 ] && break
  pause 0.1
  n=$((n + 1))
done
"$@" >"$f.out" 2>&1
rc=$?
pause 0.5
kill -TERM "$pid" 2>/dev/null
wait "$pid"
mark probe-exit; echo "$rc"
mark probe-output; head -c 2000 "$f.out"
mark tcpdump; cat "$f.log"
mark pcap; base64 "$f"
mark summary; tcpdump -r "$f" -nn 2>&1 | head -n ${CAPTURE_SUMMARY_LINES}
mark end
`;

/** What one capture produced: the .pcap bytes and its summary in words. */
export interface Capture {
  readonly pcap: Uint8Array;
  readonly summary: string;
}

/** The sections of the script's output, by name. */
export function captureSections(stdout: string, nonce: string): Map<string, string> {
  const marker = new RegExp(`\\n--${nonce}-- ([a-z-]+)\\n`);
  const parts = `\n${stdout}`.split(marker);
  const sections = new Map<string, string>();
  for (let i = 1; i + 1 < parts.length; i += 2) sections.set(parts[i]!, parts[i + 1]!.replace(/\n$/, ''));
  return sections;
}

/** The magic numbers a capture file starts with: pcap (µs, ns; either byte order) and pcapng. */
const PCAP_MAGICS = [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a];

export function isPcap(bytes: Uint8Array): boolean {
  return bytes.length >= 24 && PCAP_MAGICS.includes(Buffer.from(bytes.buffer, bytes.byteOffset, 4).readUInt32BE(0));
}

/** The argv that runs the capture around one repetition of `probe` (its command, as run in the source). */
export function captureArgv(probe: Pick<ProbeResult, 'command' | 'spec'>, nonce: string): string[] {
  const seconds = Math.ceil(probe.spec.timeoutMs / 1000) + 8;
  return ['bash', '-c', CAPTURE_SCRIPT, 'kconn-capture', nonce, String(seconds), ...probe.command];
}

const indent = (text: string): string =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');

/**
 * Captures packets in the source while the failing probe runs once more (through the probes' own PodExec), and
 * returns the .pcap with a text summary. Throws, saying why, when nothing usable was captured.
 */
export async function capturePackets(exec: PodExec, probe: Pick<ProbeResult, 'command' | 'spec' | 'reproduce'>, timeoutMs: number): Promise<Capture> {
  if (probe.command.length === 0) throw new Error('the failing probe has no command to repeat (it never ran)');
  const nonce = randomBytes(8).toString('hex');
  const run = await exec.exec(captureArgv(probe, nonce), timeoutMs);
  const sections = captureSections(run.stdout, nonce);
  const tcpdump = sections.get('tcpdump')?.trim() ?? '';
  if (!sections.has('end')) {
    throw new Error(`the capture script ended early (exit ${run.exitCode}): ${[run.stderr.trim(), tcpdump, run.stdout.trim().slice(0, 500)].filter(Boolean).join('; ') || 'no output'}`);
  }
  const pcap = Buffer.from(sections.get('pcap') ?? '', 'base64');
  if (!isPcap(pcap)) throw new Error(`tcpdump wrote no capture (${pcap.length} bytes): ${tcpdump || 'it said nothing'}`);
  const summary = [
    `packet capture in ${exec.source} (tcpdump -i any -nn -s ${CAPTURE_SNAPLEN}) while the failing probe ran once more`,
    `probe: ${probe.reproduce}`,
    `probe exit code: ${sections.get('probe-exit')?.trim() ?? '?'}`,
    ...(sections.get('probe-output')?.trim() ? ['probe output:', indent(sections.get('probe-output')!)] : []),
    'tcpdump:',
    indent(tcpdump || '(no messages)'),
    `first packets (tcpdump -r capture.pcap -nn, at most ${CAPTURE_SUMMARY_LINES} lines):`,
    indent(sections.get('summary') ?? '(none)'),
  ];
  return { pcap, summary: summary.join('\n') + '\n' };
}
