// What a batch script (batchScript.ts) prints, read back: one ScriptRun per run of a probe or a control.

/** What the script reports for one run: the last attempt's exit code and output, and how many attempts ran. */
export interface ScriptRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Start of the first attempt, µs since the epoch (source clock). */
  readonly firstStartUs: number;
  /** Start and end of the last attempt. */
  readonly startUs: number;
  readonly endUs: number;
  readonly attempts: number;
  /** When the last attempt's deadline started (the connect), if the probe noted it (timedScript). */
  readonly deadlineStartUs?: number;
  /** When its timer woke up at the deadline, if it did. */
  readonly deadlineEndUs?: number;
  /**
   * What the kernel said of the probe's TCP connect when its timer woke up (connectEvidenceScript): the socket's
   * state (`02` SYN_SENT, `01` ESTABLISHED...; `-` no socket; `?` the kernel does not say) and, for SYN_SENT, how long
   * the SYN had gone unanswered.
   */
  readonly connect?: { readonly state: string; readonly synAgeUs: number };
}

export class BatchOutputError extends Error {}

export interface BatchOutput {
  /** Batch runs by entry index. */
  readonly runs: Map<number, ScriptRun>;
  /** Lone re-runs by entry index, with the control run just before (undefined without control). */
  readonly lone: Map<number, { readonly run?: ScriptRun; readonly controlBefore?: number }>;
  /** Entries not re-run because the lone control k failed. */
  readonly skipped: Map<number, number>;
  /** Control runs by k. */
  readonly controls: Map<number, ScriptRun>;
  /** The script reached its end. */
  readonly complete: boolean;
  readonly missing: string[];
  /** Why the script gave up before running anything (KCONN-FATAL). */
  readonly fatal: string[];
}

/** Reads the script's lines back; runs the script did not report are absent. */
export function parseBatchOutput(stdout: string): BatchOutput {
  const runs = new Map<number, ScriptRun>();
  const loneRuns = new Map<number, ScriptRun>();
  const loneBefore = new Map<number, number | undefined>();
  const skipped = new Map<number, number>();
  const controls = new Map<number, ScriptRun>();
  const missing: string[] = [];
  const fatal: string[] = [];
  let complete = false;
  const decode = (b: string): string => (b === '-' ? '' : Buffer.from(b, 'base64').toString('utf8'));
  for (const line of stdout.split('\n')) {
    if (line === 'KCONN-END') complete = true;
    else if (line.startsWith('KCONN-MISSING ')) missing.push(line.slice('KCONN-MISSING '.length));
    else if (line.startsWith('KCONN-FATAL')) fatal.push(line.slice('KCONN-FATAL'.length).trim() || 'unknown failure');
    else if (line.startsWith('KCONN-LONE ') || line.startsWith('KCONN-SKIP ')) {
      const m = /^KCONN-(LONE|SKIP) (\d+) (\d+|-)$/.exec(line);
      if (!m) throw new BatchOutputError(`malformed line: ${line.slice(0, 200)}`);
      const k = m[3] === '-' ? undefined : Number(m[3]);
      if (m[1] === 'LONE') loneBefore.set(Number(m[2]), k);
      else skipped.set(Number(m[2]), k ?? 0);
    } else if (line.startsWith('KCONN-RUN ')) {
      const f = line.split(' ');
      const name = /^(\d+)(\.L)?$|^c(\d+)$/.exec(f[1] ?? '');
      if (f.length !== 13 || !name || !f.slice(2, 9).every((x) => /^-?\d+$/.test(x)) || !/^([0-9A-F]{2}|[-?_])$/.test(f[9]!) || !/^\d+$/.test(f[10]!)) {
        throw new BatchOutputError(`malformed probe line: ${line.slice(0, 200)}`);
      }
      const run: ScriptRun = {
        exitCode: Number(f[2]),
        firstStartUs: Number(f[3]),
        startUs: Number(f[4]),
        endUs: Number(f[5]),
        attempts: Number(f[6]),
        ...(f[7] !== '0' ? { deadlineStartUs: Number(f[7]) } : {}),
        ...(f[8] !== '0' ? { deadlineEndUs: Number(f[8]) } : {}),
        ...(f[9] !== '_' ? { connect: { state: f[9]!, synAgeUs: Number(f[10]) } } : {}),
        stdout: decode(f[11]!),
        stderr: decode(f[12]!),
      };
      if (name[3] !== undefined) controls.set(Number(name[3]), run);
      else if (name[2]) loneRuns.set(Number(name[1]), run);
      else runs.set(Number(name[1]), run);
    }
  }
  const lone = new Map<number, { run?: ScriptRun; controlBefore?: number }>();
  for (const [id, k] of loneBefore) {
    const run = loneRuns.get(id);
    lone.set(id, { ...(run ? { run } : {}), ...(k !== undefined ? { controlBefore: k } : {}) });
  }
  return { runs, lone, skipped, controls, complete, missing, fatal };
}
