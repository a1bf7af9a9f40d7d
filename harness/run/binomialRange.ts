/** ln(k!) for k = 0..n, by summing logarithms (exact enough for n up to a few thousand). */
function logFactorials(n: number): number[] {
  const out = [0];
  for (let k = 1; k <= n; k++) out.push(out[k - 1]! + Math.log(k));
  return out;
}

/**
 * The counts out of `n` that an exact two-sided binomial test at `confidence` does not reject for the share `p`:
 * count k is accepted when the probability of every outcome at most as likely as k, under Binomial(n, p), is above
 * 1 - confidence (the "minimum likelihood" p-value, as R's binom.test). The accepted counts form an interval.
 * A share of 0 accepts only 0; a share of 1 accepts only n.
 */
export function binomialRange(n: number, p: number, confidence: number): { readonly lo: number; readonly hi: number } {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`binomialRange: n must be a whole number >= 0, not ${n}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`binomialRange: p must be within [0, 1], not ${p}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`binomialRange: confidence must be within (0, 1), not ${confidence}`);
  if (p === 0) return { lo: 0, hi: 0 };
  if (p === 1) return { lo: n, hi: n };
  const lf = logFactorials(n);
  const pmf = Array.from({ length: n + 1 }, (_, k) => Math.exp(lf[n]! - lf[k]! - lf[n - k]! + k * Math.log(p) + (n - k) * Math.log(1 - p)));
  const alpha = 1 - confidence;
  // Outcomes as likely as k, up to rounding, count as "at most as likely" (R uses the same relative margin).
  const pValue = (k: number): number => pmf.reduce((sum, q) => (q <= pmf[k]! * (1 + 1e-7) ? sum + q : sum), 0);
  // The most likely count (0 < p < 1, so at most n): the accepted counts grow from it both ways.
  const mode = Math.floor((n + 1) * p);
  let lo = mode;
  while (lo > 0 && pValue(lo - 1) > alpha) lo--;
  let hi = mode;
  while (hi < n && pValue(hi + 1) > alpha) hi++;
  return { lo, hi };
}
