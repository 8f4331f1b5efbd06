// Order statistics of timing samples.

/** quantile returns the q-quantile of xs (nearest rank: the ⌈q·n⌉-th smallest). */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(q * s.length) - 1)];
}

/** median returns the median of xs (nearest rank). */
export const median = (xs) => quantile(xs, 0.5);
