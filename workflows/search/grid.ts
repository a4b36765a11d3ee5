/**
 * Exhaustive grid in a fixed order: parameters in declaration order (parents first), the last
 * one varying fastest. Conditional parameters only multiply the branches where they are active,
 * so no two grid points differ only in an inactive parameter. Floats need an explicit `grid`
 * count (a continuous range has no natural grid); ints default to every step.
 */
import { z } from 'zod';
import { CommonOptionsShape, parseOptions } from './options.js';
import { BaseSampler, SearchExhaustedError, type SamplerResume, type SamplerStateBase } from './sampler.js';
import {
  isActive,
  parseSearchSpace,
  SearchSpaceError,
  type ParamSpec,
  type Params,
  type ParamValue,
  type ParamsOf,
  type SearchSpace,
  type SpaceDeclaration,
} from './space.js';

/** The grid draws no random numbers, so it takes no seed. */
export const GridOptionsSchema = z.object({ direction: CommonOptionsShape.direction }).strict();
export type GridSamplerOptions = z.input<typeof GridOptionsSchema>;
import { gridValueCount, gridValues as contractGridValues, MAX_GRID_POINTS } from '../../contracts/hpo-space.js';

export { MAX_GRID_POINTS };

export interface GridSamplerState extends SamplerStateBase {
  kind: 'grid';
  /** Index of the next grid point to ask. */
  next: number;
}

/**
 * The values a parameter takes on the grid, in ascending / declaration order. Campaign inputs
 * are refused with the same rule (contracts/hpo-space.ts) before a sampler is built.
 */
export function gridValues(name: string, p: ParamSpec): ParamValue[] {
  const c = gridValueCount(p);
  if ('issue' in c) throw new SearchSpaceError([`${name}.${c.issue.path.join('.')} ${c.issue.message}`]);
  return contractGridValues(p);
}

/** Every grid point in sampling order. Pure function of the space, so only an index is stored. */
export function gridPoints(space: SearchSpace, order: readonly string[]): Params[] {
  const values = new Map(order.map((n) => [n, gridValues(n, space[n])] as const));
  const points: Params[] = [];
  const walk = (i: number, point: Params): void => {
    if (points.length > MAX_GRID_POINTS) throw new SearchSpaceError([`(root) the grid has more than ${MAX_GRID_POINTS} points`]);
    if (i === order.length) {
      points.push(point);
      return;
    }
    const name = order[i];
    if (!isActive(space, name, point)) return walk(i + 1, point);
    for (const v of values.get(name) ?? []) walk(i + 1, { ...point, [name]: v });
  };
  walk(0, {});
  return points;
}

export class GridSampler<const S extends SpaceDeclaration = SpaceDeclaration> extends BaseSampler<ParamsOf<S>> {
  readonly kind = 'grid' as const;
  private readonly points: Params[];
  private next: number;

  constructor(space: S, options?: GridSamplerOptions, resume?: SamplerResume & { next: number }) {
    const o = parseOptions('GridSampler', GridOptionsSchema, options);
    // The seed only keeps the state shape uniform.
    super(parseSearchSpace(space), o.direction, 0, resume);
    this.points = gridPoints(this.space, this.order);
    this.next = resume?.next ?? 0;
  }

  static fromState(state: GridSamplerState): GridSampler<SearchSpace> {
    return new GridSampler(state.space, { direction: state.direction }, state);
  }

  /** Total number of grid points. */
  get size(): number {
    return this.points.length;
  }

  override isExhausted(): boolean {
    return this.next >= this.points.length;
  }

  protected propose(): Params {
    if (this.isExhausted()) throw new SearchExhaustedError('GridSampler');
    return { ...this.points[this.next++] };
  }

  state(): GridSamplerState {
    return { kind: 'grid', ...this.baseState(), next: this.next };
  }
}
