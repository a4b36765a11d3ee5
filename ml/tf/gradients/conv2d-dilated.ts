import * as tf from '@tensorflow/tfjs-core';
import { backend_util, type GradConfig, type NamedAttrMap } from '@tensorflow/tfjs-core';

/**
 * tfjs 4.22's Conv2D gradient asserts dilation 1 ("dilation rates greater than 1 are not yet
 * supported in gradients"), so a dilated Conv1D — which the Architecture contract allows — could
 * be built but not trained on any backend. This replaces the Conv2D gradient with one that
 * delegates to the stock gradient for dilation 1 and handles dilation > 1 (stride 1, which
 * conv2d itself enforces when dilated; NHWC):
 *
 * - dx is a dilated correlation of dy with the spatially flipped, in/out-swapped filter, padded
 *   so the output has the input's size (left pad = effective filter - 1 - forward left pad).
 * - dW comes from the wasm Conv2DBackpropFilter kernel (it accepts `dilations`) on wasm, and
 *   elsewhere from one [N, ci]^T x [N, co] product per filter tap of the padded input.
 *
 * Registered process-wide (gradients are not per backend) by `registerTrainingGradients`.
 */

interface Conv2DAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const pair = (v: [number, number] | number): [number, number] => (typeof v === 'number' ? [v, v] : v);

let stock: GradConfig | undefined;

function dilatedGrad(dy: tf.Tensor4D, x: tf.Tensor4D, filter: tf.Tensor4D, attrs: Conv2DAttrs): { x: () => tf.Tensor; filter: () => tf.Tensor } {
  if (attrs.dataFormat === 'NCHW') throw new Error('Conv2D gradient with dilation > 1: only NHWC is supported');
  const [dh, dw] = pair(attrs.dilations);
  const [sh, sw] = pair(attrs.strides);
  if (sh !== 1 || sw !== 1) throw new Error(`Conv2D gradient with dilation > 1 needs stride 1, got strides ${sh},${sw}`);
  const info = backend_util.computeConv2DInfo(x.shape, filter.shape, [1, 1], [dh, dw], attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const { top, bottom, left, right } = info.padInfo;
  const { effectiveFilterHeight: eh, effectiveFilterWidth: ew, inHeight, inWidth, outHeight, outWidth } = info;

  const dx = (): tf.Tensor =>
    tf.tidy(() => {
      const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
      const padTop = eh - 1 - top;
      const padLeft = ew - 1 - left;
      const padBottom = inHeight - outHeight - padTop + eh - 1;
      const padRight = inWidth - outWidth - padLeft + ew - 1;
      return tf.conv2d(
        dy,
        flipped as tf.Tensor4D,
        1,
        [
          [0, 0],
          [padTop, padBottom],
          [padLeft, padRight],
          [0, 0],
        ],
        'NHWC',
        [dh, dw],
      );
    });

  const dW = (): tf.Tensor => {
    if (tf.getBackend() === 'wasm') {
      return tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, {
        strides: [1, 1],
        pad: attrs.pad,
        dataFormat: 'NHWC',
        dimRoundingMode: attrs.dimRoundingMode,
        filterShape: filter.shape,
        dilations: [dh, dw],
      } as unknown as NamedAttrMap) as tf.Tensor;
    }
    return tf.tidy(() => {
      const [kh, kw, ci, co] = filter.shape;
      const xPad = tf.pad(x, [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ]);
      const n = info.batchSize * outHeight * outWidth;
      const dy2 = tf.reshape(dy, [n, co]);
      const taps: tf.Tensor[] = [];
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const window = tf.slice(xPad, [0, i * dh, j * dw, 0], [info.batchSize, outHeight, outWidth, ci]);
          taps.push(tf.matMul(tf.reshape(window, [n, ci]), dy2, true, false));
        }
      }
      return tf.reshape(tf.stack(taps), [kh, kw, ci, co]);
    });
  };
  return { x: dx, filter: dW };
}

export const conv2DGradWithDilations: GradConfig = {
  kernelName: tf.Conv2D,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const a = attrs as unknown as Conv2DAttrs;
    const [dh, dw] = pair(a.dilations ?? 1);
    if (dh === 1 && dw === 1) {
      if (!stock) throw new Error('stock Conv2D gradient missing');
      return stock.gradFunc(dy, saved, attrs);
    }
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    return dilatedGrad(dy as tf.Tensor4D, x, filter, a);
  },
};

/** Installs the dilation-capable Conv2D gradient once (idempotent). */
export function registerDilatedConvGradient(): void {
  const current = tf.getGradient(tf.Conv2D);
  if (current === conv2DGradWithDilations) return;
  stock = current;
  tf.registerGradient(conv2DGradWithDilations);
}
