import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, chmod } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { assertInside, removeInside } from './insideRoot.js';

export type FetchLike = typeof fetch;

/** Where the expected digest comes from: pinned in kconn (preferred), or the checksum file published next to the asset. */
export type Verification = { readonly sha256: string; readonly checksumUrl?: undefined } | { readonly checksumUrl: string; readonly sha256?: undefined };

export type DownloadVerifiedOptions = Verification & {
  /** Injected fetch (tests); default the global one. */
  readonly fetch?: FetchLike;
  /** File mode of the result; default 0o644. */
  readonly mode?: number;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
  /** The folder kconn owns that `dest` must lie inside (e.g. the cache); default dest's own folder. */
  readonly within?: string;
};

export interface DownloadedFile {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** The downloaded bytes are not the ones expected. Nothing was written. */
export class ChecksumMismatchError extends Error {
  constructor(
    readonly url: string,
    readonly expected: string,
    readonly actual: string,
    /** "pinned in kconn" or the checksum file's URL. */
    readonly expectedFrom: string,
  ) {
    super(`SHA-256 mismatch for ${url}: expected ${expected} (${expectedFrom}), got ${actual}; the download was discarded`);
    this.name = 'ChecksumMismatchError';
  }
}

const HEX64 = /^[0-9a-f]{64}$/;
const MAX_CHECKSUM_FILE = 64 * 1024;

/**
 * The digest a checksum file gives for `fileName`. Accepts `sha256sum` output (`<hex>  name`, `<hex> *name`, one or many
 * lines: kind's and Helm's `.sha256sum`, containernetworking's `.sha256`) and a bare digest (one line, no name).
 */
export function parseChecksumFile(text: string, fileName: string): string {
  const entries: { hex: string; name?: string }[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const m = /^\s*([0-9a-fA-F]{64})(?:\s+\*?(\S.*?))?\s*$/.exec(line);
    if (!m) throw new Error(`unrecognised checksum line ${JSON.stringify(line.slice(0, 120))}`);
    entries.push({ hex: m[1]!.toLowerCase(), ...(m[2] ? { name: m[2] } : {}) });
  }
  const named = entries.find((e) => e.name !== undefined && basename(e.name) === fileName);
  if (named) return named.hex;
  if (entries.length === 1 && entries[0]!.name === undefined) return entries[0]!.hex;
  if (entries.length === 0) throw new Error('the checksum file is empty');
  throw new Error(`the checksum file lists no digest for ${fileName} (it names ${entries.map((e) => e.name ?? '(no name)').join(', ')})`);
}

/**
 * A checksum file is only as trustworthy as the channel it came over: require HTTPS, except on loopback (a local test
 * server or an on-host mirror). Pinned digests need no such rule.
 */
function assertTrustedChecksumUrl(checksumUrl: string): void {
  const u = new URL(checksumUrl);
  if (u.protocol === 'https:') return;
  const loopback = u.hostname === 'localhost' || u.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(u.hostname);
  if (u.protocol === 'http:' && loopback) return;
  throw new Error(`refusing to verify against ${checksumUrl}: a checksum file must come over HTTPS (or from a loopback address)`);
}

async function fetchOk(fetchImpl: FetchLike, url: string, signal: AbortSignal | undefined): Promise<Response> {
  let res: Response;
  try {
    res = await fetchImpl(url, { redirect: 'follow', ...(signal ? { signal } : {}) });
  } catch (e) {
    const cause = (e as Error & { cause?: Error }).cause;
    throw new Error(`GET ${url} failed: ${(e as Error).message}${cause?.message ? ` (${cause.message})` : ''}`, { cause: e });
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`GET ${url} failed: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  }
  return res;
}

/** Whether a download would start: `ok`, or why not (one sentence with the URL). */
export type Reachability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Cheap check that `url` can be downloaded from here: a GET for its first byte only (`Range: bytes=0-0`; a HEAD is not
 * used, since presigned release-asset redirects may accept GET only), redirects followed, the body dropped unread,
 * all within `timeoutMs`. 200 or 206 is reachable; an HTTP error, a network error or no answer in time is not.
 */
export async function checkDownloadable(url: string, options: { readonly fetch?: FetchLike; readonly timeoutMs: number }): Promise<Reachability> {
  const fetchImpl = options.fetch ?? fetch;
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const res = await fetchImpl(url, { method: 'GET', headers: { range: 'bytes=0-0' }, redirect: 'follow', signal });
    await res.body?.cancel().catch(() => undefined);
    if (res.ok) return { ok: true };
    return { ok: false, reason: `GET ${url}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}` };
  } catch (e) {
    if (signal.aborted) return { ok: false, reason: `GET ${url}: no answer within ${options.timeoutMs / 1000} s` };
    const cause = (e as Error & { cause?: Error }).cause;
    return { ok: false, reason: `GET ${url} failed: ${(e as Error).message}${cause?.message ? ` (${cause.message})` : ''}` };
  }
}

async function expectedDigest(url: string, options: DownloadVerifiedOptions, fetchImpl: FetchLike): Promise<{ hex: string; from: string }> {
  if (options.sha256 !== undefined) {
    const hex = options.sha256.toLowerCase();
    if (!HEX64.test(hex)) throw new Error(`pinned SHA-256 for ${url} is not 64 hex digits: ${JSON.stringify(options.sha256)}`);
    return { hex, from: 'pinned in kconn' };
  }
  if (options.checksumUrl === undefined) throw new Error(`no digest and no checksum file for ${url}: kconn never keeps an unverified download`);
  assertTrustedChecksumUrl(options.checksumUrl);
  const res = await fetchOk(fetchImpl, options.checksumUrl, options.signal);
  const text = await res.text();
  if (text.length > MAX_CHECKSUM_FILE) throw new Error(`${options.checksumUrl} is not a checksum file (${text.length} bytes)`);
  try {
    return { hex: parseChecksumFile(text, basename(new URL(url).pathname)), from: options.checksumUrl };
  } catch (e) {
    throw new Error(`${options.checksumUrl}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Downloads `url` to `dest`, verified by SHA-256 before it gets its name. The body streams into a temporary file in
 * the destination's directory (so the final rename is atomic and on one filesystem) while it is hashed; the file is
 * flushed to disk, compared, chmod-ed, then renamed over `dest`. On any failure (HTTP error, mismatch, abort) the
 * temporary file is removed: `dest` is either absent, untouched, or the complete verified file.
 */
export async function downloadVerified(url: string, dest: string, options: DownloadVerifiedOptions): Promise<DownloadedFile> {
  const fetchImpl = options.fetch ?? fetch;
  const root = options.within ?? dirname(dest);
  await assertInside(root, dest);
  const expected = await expectedDigest(url, options, fetchImpl);
  options.log?.(`downloading ${url} (SHA-256 ${expected.from === 'pinned in kconn' ? 'pinned' : `from ${expected.from}`})`);

  await mkdir(dirname(dest), { recursive: true });
  const tmp = join(dirname(dest), `.${basename(dest)}.${process.pid}.${randomBytes(6).toString('hex')}.partial`);
  try {
    // options.signal also aborts the body stream, which fails the pipeline below.
    const res = await fetchOk(fetchImpl, url, options.signal);
    const hash = createHash('sha256');
    let bytes = 0;
    await pipeline(
      Readable.fromWeb(res.body as WebReadableStream<Uint8Array>),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          hash.update(chunk);
          bytes += chunk.length;
          yield chunk;
        }
      },
      createWriteStream(tmp, { flags: 'wx', mode: 0o600 }),
    );
    const actual = hash.digest('hex');
    if (actual !== expected.hex) throw new ChecksumMismatchError(url, expected.hex, actual, expected.from);
    const fh = await open(tmp, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await chmod(tmp, options.mode ?? 0o644);
    await rename(tmp, dest);
    return { path: dest, sha256: actual, bytes };
  } finally {
    await removeInside(root, tmp);
  }
}
