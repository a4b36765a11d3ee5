import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mixSeed } from '../random.js';

/**
 * Dropout whose mask is a pure function of (seed, training step), so the same parameters and
 * seed train to identical numbers, and a run resumed from a checkpoint draws exactly the masks
 * the uninterrupted run would have. tfjs-layers' own dropout ignores its seed.
 *
 * The trainer names the step before each batch (`setDropoutStep`); the mask is drawn by
 * tf.randomUniform with a seed, which tfjs computes in JavaScript on every backend. At
 * inference (`training` false) the layer is the identity, like Keras dropout.
 */
export interface SeededDropoutArgs {
  rate: number;
  seed: number;
  name?: string;
}

export class SeededDropout extends tfl.layers.Layer {
  /** The name in saved model topologies; registered below so saved models load again. */
  static readonly className = 'FaultlineSeededDropout';
  readonly rate: number;
  readonly seed: number;
  /** The training step whose mask the next training call draws. */
  step = 0;

  constructor(args: SeededDropoutArgs) {
    super({ name: args.name });
    if (!(args.rate >= 0 && args.rate < 1)) throw new Error(`dropout rate must be in [0, 1), got ${args.rate}`);
    if (!Number.isInteger(args.seed)) throw new Error(`dropout seed must be an integer, got ${args.seed}`);
    this.rate = args.rate;
    this.seed = args.seed;
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (!kwargs.training || this.rate === 0) return x.clone();
      const uniform = tf.randomUniform(x.shape, 0, 1, 'float32', mixSeed(this.seed, 'dropout', this.step));
      const keep = tf.cast(tf.greaterEqual(uniform, this.rate), 'float32');
      return tf.mul(x, tf.div(keep, 1 - this.rate));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls({ rate: Number(config.rate), seed: Number(config.seed), name: typeof config.name === 'string' ? config.name : undefined });
  }
}
tf.serialization.registerClass(SeededDropout);

/** Point every seeded dropout layer of `model` at training step `step` (a number the run's batches never share). */
export function setDropoutStep(model: tfl.LayersModel, step: number): void {
  for (const layer of model.layers) if (layer instanceof SeededDropout) layer.step = step;
}
