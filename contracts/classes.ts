import { z } from 'zod';
import { FAULT_CLASSES, FAULT_SEVERITIES_IN, type FaultClass } from './constants.js';

/**
 * Class schemes: what a dataset's labels distinguish. `fault-type` is the 4-class problem
 * (normal, inner race, outer race, ball); `fault-type-size` is the usual 10-class CWRU
 * benchmark (normal + 3 fault types × 3 diameters). A dataset declares its scheme, and models,
 * reports and evaluations take their class list from the dataset.
 */
export const CLASS_SCHEMES = ['fault-type', 'fault-type-size'] as const;
export type ClassScheme = (typeof CLASS_SCHEMES)[number];
export const ClassSchemeSchema = z.enum(CLASS_SCHEMES);

export const FaultTypeSchema = z.enum(FAULT_CLASSES);

/** Mils (thousandths of an inch), the way CWRU names diameters: 0.014 → "014". */
export function faultSizeMils(sizeIn: number): string {
  return String(Math.round(sizeIn * 1000)).padStart(3, '0');
}

/** The label of a recording or signal under a scheme. */
export function classLabel(scheme: ClassScheme, faultType: FaultClass, faultSizeIn: number): string {
  if (scheme === 'fault-type' || faultType === 'normal') return faultType;
  return `${faultType}_${faultSizeMils(faultSizeIn)}`;
}

/** Every class of a scheme, in label-index order (the order models are trained in). */
export function schemeClasses(
  scheme: ClassScheme,
  faultTypes: readonly FaultClass[] = FAULT_CLASSES,
  sizesIn: readonly number[] = FAULT_SEVERITIES_IN,
): string[] {
  if (scheme === 'fault-type') return [...faultTypes];
  return faultTypes.flatMap((t) => (t === 'normal' ? ['normal'] : sizesIn.map((s) => classLabel(scheme, t, s))));
}

/** Every label any scheme can give (`normal`, `inner_race`, …, `inner_race_007`, …): what a label filter may name. */
export const CLASS_LABELS = [...new Set(CLASS_SCHEMES.flatMap((s) => schemeClasses(s)))] as [string, ...string[]];
export const ClassLabelSchema = z.enum(CLASS_LABELS);
