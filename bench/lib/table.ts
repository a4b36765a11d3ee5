/** Number formatting for the summary tables: `-` for a missing or non-finite figure. */
export const fmt = (v: number | null | undefined, digits = 0): string => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits));

/** A figure that is always present, as an integer. */
export const fmt0 = (x: number): string => x.toFixed(0);
