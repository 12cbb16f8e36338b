import jStat from 'jstat';

/**
 * Distances between two distributions given as counts over the same bins or categories. The
 * counting happens in DuckDB; these take the (few) aggregated counts, never rows.
 */

/** A share that stands in for an empty bin in PSI, so ln(0) never appears (Evidently's choice). */
const EMPTY_SHARE = 1e-4;

function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((sum, n) => sum + n, 0);
  return counts.map((n) => (total > 0 ? n / total : 0));
}

/** Σ term(baseline share, target share) over the bins; null when either window is empty. */
function sumOverShares(
  baseline: readonly number[],
  target: readonly number[],
  term: (p: number, q: number) => number,
): number | null {
  const p = shares(baseline);
  const q = shares(target);
  if (p.every((x) => x === 0) || q.every((x) => x === 0)) {
    return null;
  }
  return p.reduce((sum, pi, i) => sum + term(pi, q[i] ?? 0), 0);
}

/**
 * Jensen–Shannon distance, base 2 (scipy's `jensenshannon(p, q, base=2)`, as Azure ML computes
 * it): the square root of the JS divergence, 0 for equal distributions, 1 for disjoint ones.
 */
export function jensenShannonDistance(
  baseline: readonly number[],
  target: readonly number[],
): number | null {
  const half = (x: number, m: number) => (x > 0 ? 0.5 * x * Math.log2(x / m) : 0);
  const divergence = sumOverShares(baseline, target, (p, q) => {
    const m = (p + q) / 2;
    return half(p, m) + half(q, m);
  });
  return divergence === null ? null : Math.sqrt(Math.max(0, divergence));
}

/** Population stability index: Σ (target − baseline) · ln(target / baseline) over shares. */
export function populationStabilityIndex(
  baseline: readonly number[],
  target: readonly number[],
): number | null {
  return sumOverShares(baseline, target, (p, q) => {
    const b = p > 0 ? p : EMPTY_SHARE;
    const t = q > 0 ? q : EMPTY_SHARE;
    return (t - b) * Math.log(t / b);
  });
}

/**
 * Pearson's chi-squared test that both windows draw from one categorical distribution (a 2 × k
 * contingency table, k categories seen in either): its p-value. Small p-values mean drift.
 */
export function chiSquaredPValue(
  baseline: readonly number[],
  target: readonly number[],
): number | null {
  const pairs = baseline.map((b, i) => [b, target[i] ?? 0] as const).filter(([b, t]) => b + t > 0);
  const nb = pairs.reduce((sum, [b]) => sum + b, 0);
  const nt = pairs.reduce((sum, [, t]) => sum + t, 0);
  if (nb === 0 || nt === 0) {
    return null;
  }
  if (pairs.length < 2) {
    return 1;
  }
  const n = nb + nt;
  let statistic = 0;
  for (const [b, t] of pairs) {
    const column = b + t;
    const expectedB = (nb * column) / n;
    const expectedT = (nt * column) / n;
    statistic += (b - expectedB) ** 2 / expectedB + (t - expectedT) ** 2 / expectedT;
  }
  return 1 - jStat.chisquare.cdf(statistic, pairs.length - 1);
}

/** Normalized Wasserstein distance, as Azure ML normalizes it: W₁ / max(baseline std, 0.001). */
export function normalizeWasserstein(w1: number | null, baselineStd: number | null): number | null {
  if (w1 === null) {
    return null;
  }
  return w1 / Math.max(baselineStd ?? 0, 0.001);
}

/**
 * W₁ between two distributions given by matching quantiles (q(p) at the same p's, evenly
 * spaced): the mean gap. Per-day drift uses it; the window's value is exact (drift-sql.ts).
 */
export function wassersteinFromQuantiles(
  baseline: readonly number[],
  target: readonly number[],
): number | null {
  if (baseline.length === 0 || baseline.length !== target.length) {
    return null;
  }
  const gaps = baseline.map((b, i) => Math.abs(b - (target[i] ?? b)));
  return gaps.reduce((sum, gap) => sum + gap, 0) / gaps.length;
}
