import { z } from 'zod';
import { classLabel, ClassSchemeSchema, type ClassScheme } from './classes.js';
import { DATASET_DEFAULTS, DEFAULT_SAMPLING_RATE_HZ, FAULT_CLASSES, FAULT_SEVERITIES_IN, SIGNAL_LENGTH, type FaultClass } from './constants.js';
import { SlugSchema } from './ids.js';
import { TestingKnobsSchema } from './testing/knobs.js';

export const FaultClassSchema = z.enum(FAULT_CLASSES);

/** What to simulate. Fully determines the data: the same config gives the same bytes. */
export const SimulatorConfigSchema = z
  .object({
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(42),
    samplingRateHz: z.number().int().min(1_000).max(200_000).default(DEFAULT_SAMPLING_RATE_HZ),
    signalLength: z.number().int().min(1_024).max(2_000_000).default(SIGNAL_LENGTH),
    classes: z
      .array(FaultClassSchema)
      .min(1)
      .refine((c) => new Set(c).size === c.length, 'must not repeat a class')
      .default([...FAULT_CLASSES]),
    /**
     * What the labels distinguish: `fault-type` (unset; one class per entry of `classes`, the
     * diameters cycled within it) or `fault-type-size` (one class per fault type and diameter of
     * `severitiesIn`, e.g. the 10-class CWRU benchmark). No default, so requests written before the
     * option keep their content hash (and derived dataset id).
     */
    scheme: ClassSchemeSchema.optional(),
    signalsPerClass: z.number().int().min(1).max(100_000).default(DATASET_DEFAULTS.signalsPerClass),
    /** Fault diameters (inches) cycled through for the faulty classes. */
    severitiesIn: z
      .array(z.number().positive().max(0.1))
      .min(1)
      .default([...FAULT_SEVERITIES_IN]),
    /** Motor loads (hp) cycled through; they set the nominal shaft speed. */
    loadsHp: z.array(z.number().int().min(0).max(3)).min(1).default([0, 1, 2, 3]),
    /** Relative random variation of the shaft speed around its nominal value per signal. */
    speedJitter: z.number().min(0).max(0.2).default(0.01),
    /**
     * Dominant housing resonance of the simulated rig (Hz). One dataset is one rig, as CWRU is:
     * unset, it is drawn once from the dataset seed within the simulator's resonance band.
     */
    rigResonanceHz: z.number().positive().max(100_000).optional(),
    /** Relative per-recording variation of that resonance (mounting, temperature); 0.3+ mimics many rigs. */
    resonanceJitter: z.number().min(0).max(0.5).default(0.03),
    /** Per-signal SNR is drawn uniformly from this range (dB). */
    snrDb: z
      .tuple([z.number().min(-20).max(60), z.number().min(-20).max(60)])
      .default([DATASET_DEFAULTS.snrDb, DATASET_DEFAULTS.snrDb])
      .refine(([lo, hi]) => lo <= hi, 'snrDb[0] must be <= snrDb[1]'),
  })
  .strict()
  .refine(
    (c) => c.scheme !== 'fault-type-size' || new Set(c.severitiesIn.map((s) => classLabel('fault-type-size', 'ball', s))).size === c.severitiesIn.length,
    {
      message: 'with scheme fault-type-size, severitiesIn must name distinct diameters in mils (0.007 and 0.0072 are both "007")',
      path: ['severitiesIn'],
    },
  )
  .refine((c) => c.rigResonanceHz === undefined || c.rigResonanceHz * (1 + c.resonanceJitter) < 0.45 * c.samplingRateHz, {
    message: 'rigResonanceHz × (1 + resonanceJitter) must stay below 0.45 × samplingRateHz',
    path: ['rigResonanceHz'],
  });
export type SimulatorConfig = z.output<typeof SimulatorConfigSchema>;

/** One class a simulated dataset has: its label and the fault it simulates. */
export interface SimulatedClass {
  label: string;
  faultType: FaultClass;
  /** The one diameter of this class (fault-type-size), or null: the diameters cycle (fault-type; 0 for normal). */
  severityIn: number | null;
}

type SchemeConfig = Pick<SimulatorConfig, 'classes'> & { severitiesIn?: readonly number[]; scheme?: ClassScheme };

/** The dataset's classes in the order signals are interleaved (index i has class i % count). */
export function simulatedClasses(config: SchemeConfig): SimulatedClass[] {
  const scheme = config.scheme ?? 'fault-type';
  if (scheme === 'fault-type') return config.classes.map((t) => ({ label: t, faultType: t, severityIn: t === 'normal' ? 0 : null }));
  const sizes = config.severitiesIn ?? FAULT_SEVERITIES_IN;
  return config.classes.flatMap<SimulatedClass>((t) =>
    t === 'normal' ? [{ label: 'normal', faultType: t, severityIn: 0 }] : sizes.map((s) => ({ label: classLabel(scheme, t, s), faultType: t, severityIn: s })),
  );
}

/** Signals a simulated dataset has: signalsPerClass of each of its classes. */
export function countSimulatedSignals(config: SchemeConfig & Pick<SimulatorConfig, 'signalsPerClass'>): number {
  return simulatedClasses(config).length * config.signalsPerClass;
}

/** Bytes the signals of a simulated dataset take in the artifact store (float32 samples). */
export function estimateDatasetBytes(config: SchemeConfig & Pick<SimulatorConfig, 'signalsPerClass' | 'signalLength'>): number {
  return countSimulatedSignals(config) * config.signalLength * 4;
}

export const GenerateDatasetInputSchema = z
  .object({
    /** Optional; derived from the config's content hash by the client when absent. */
    datasetId: SlugSchema,
    name: z.string().min(1).max(200).optional(),
    config: SimulatorConfigSchema,
    chunkSize: z.number().int().min(1).max(256).default(DATASET_DEFAULTS.chunkSize),
    maxInFlight: z.number().int().min(1).max(256).default(DATASET_DEFAULTS.maxInFlight),
    testing: TestingKnobsSchema.optional(),
  })
  .strict();
export type GenerateDatasetInput = z.output<typeof GenerateDatasetInputSchema>;
/** What a caller may send (defaults not yet applied). */
export type GenerateDatasetRequest = z.input<typeof GenerateDatasetInputSchema>;

export interface GenerateDatasetResult {
  datasetId: string;
  numSignals: number;
  classCounts: Record<string, number>;
  samplingRateHz: number;
  signalLength: number;
}

/** Metadata of one simulated signal (the array itself is in the artifact store). */
export interface SignalSpec {
  index: number;
  label: (typeof FAULT_CLASSES)[number];
  /** Fault diameter in inches; 0 for normal. */
  severityIn: number;
  loadHp: number;
  shaftHz: number;
  snrDb: number;
  /** Natural frequency of the housing mode that the impacts excite, Hz. */
  resonanceHz: number;
  /** Seed of this signal alone, derived from the dataset seed and the index. */
  seed: number;
}
