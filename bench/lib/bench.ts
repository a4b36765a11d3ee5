/**
 * What a benchmark declares about itself for `npm run bench` (bench/run.ts): where its script
 * is, how long it may take, the shape of the JSON report it prints as its last stdout line, the
 * figures the summary keeps of that report, and the table it prints for them.
 */
import { z } from 'zod';

/** A figure that may be NaN, which JSON turns into null. */
export const num = z.number().nullable();

export interface BenchDefinition<Report, Figures extends { kind: string }> {
  /** The name `--only` and the summary use. */
  name: string;
  /** One line for `--list`. */
  description: string;
  /** The script, relative to the repository root; run as `node --import tsx <file> [--quick]`. */
  file: string;
  /** A hung child (e.g. a stuck Python) must not hang the whole run. */
  timeoutMs: { full: number; quick: number };
  /**
   * The report's shape. Only the fields the figures use are declared: zod drops the rest, so a
   * bench can report more without breaking the runner. NaN arrives as null (JSON).
   */
  report: z.ZodType<Report>;
  /** What summary.json keeps of the report; `kind` is the bench's name. */
  figures(report: Report): Figures;
  /** The bench's section of the summary table, indented two spaces. */
  table(figures: Figures): string[];
}

/** A bench as the runner sees it: its figures and table from its report, whatever their types. */
export interface Bench {
  name: string;
  description: string;
  file: string;
  timeoutMs: { full: number; quick: number };
  /** Parse the report (throws a ZodError when it has not the declared shape) and render its table. */
  summarize(report: unknown): { figures: { kind: string }; table: string[] };
}

export function defineBench<Report, Figures extends { kind: string }>(def: BenchDefinition<Report, Figures>): Bench {
  return {
    name: def.name,
    description: def.description,
    file: def.file,
    timeoutMs: def.timeoutMs,
    summarize(report) {
      const figures = def.figures(def.report.parse(report));
      return { figures, table: def.table(figures) };
    },
  };
}
