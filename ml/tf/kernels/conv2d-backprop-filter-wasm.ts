import * as tf from '@tensorflow/tfjs-core';
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Conv2DBackpropFilter for the wasm backend, which does not ship one (tfjs issue 8474): without
 * it no Conv1D/Conv2D layer can be trained on wasm. tfjs-layers' Conv1D runs as a Conv2D with
 * height 1, so this kernel is what every conv weight gradient goes through.
 *
 *   dW[kh, kw, ci, co] = sum_{b, oh, ow} x[b, oh*sh + kh*dh - padTop, ow*sw + kw*dw - padLeft, ci]
 *                                        * dy[b, oh, ow, co]
 *
 * As a matrix product: with colsT[K, N] (K = kh*kw*ci rows in filter order, N = b*oh*ow columns,
 * zeros where the window falls into padding) and dy viewed as [N, co], dW = colsT x dy, which is
 * exactly the filter layout [kh, kw, ci, co]. colsT is written in JS straight into the wasm heap,
 * and the multiply runs in the backend's own compiled (SIMD) BatchMatMul kernel. Interleaved
 * A/B on the reference CNN (Adam, batch 32, shared 2-core machine): ~680 train samples/s with
 * the wasm multiply vs ~430 with a JS multiply loop (strategy 'js', kept for benchmarks).
 *
 * Attributes: strides, pad ('same' | 'valid' | number | explicit), dimRoundingMode,
 * filterShape, dataFormat 'NHWC' (tfjs-layers' channels-last convs), plus an optional
 * `dilations` that the stock Conv2D gradient never passes (it rejects dilation > 1) but direct
 * `runKernel` callers may.
 */

export interface Conv2DBackpropFilterWasmAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
  dilations?: [number, number] | number;
}

/** 'wasm-matmul': im2col in JS + wasm BatchMatMul; 'js': im2col-free JS multiply-accumulate. */
export type BackpropFilterStrategy = 'wasm-matmul' | 'js';
let strategy: BackpropFilterStrategy = 'wasm-matmul';

/** For benchmarks and tests: choose how the multiply runs. */
export function setBackpropFilterStrategy(s: BackpropFilterStrategy): void {
  strategy = s;
}

const conv2DBackpropFilterWasm = (args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterWasmAttrs;
}): TensorInfo => {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropFilter (wasm, faultline): dataFormat '${dataFormat}' is not supported; use NHWC`);
  }
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`Conv2DBackpropFilter (wasm, faultline): float32 inputs required, got x ${x.dtype}, dy ${dy.dtype}`);
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    attrs.dilations ?? 1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const [dyB, dyH, dyW, dyC] = dy.shape;
  if (dyB !== info.batchSize || dyH !== info.outHeight || dyW !== info.outWidth || dyC !== info.outChannels) {
    throw new Error(
      `Conv2DBackpropFilter (wasm, faultline): dy shape [${dy.shape.join(',')}] does not match the expected ` +
        `[${info.batchSize},${info.outHeight},${info.outWidth},${info.outChannels}]`,
    );
  }
  if (strategy === 'js') {
    const out = backend.makeOutput(filterShape, 'float32');
    const dW = backend.typedArrayFromHeap(out) as Float32Array;
    // typedArrayFromHeap views can be invalidated when the heap grows (makeOutput may grow it),
    // so inputs are re-read after every allocation.
    accumulateJs(info, backend.typedArrayFromHeap(x) as Float32Array, backend.typedArrayFromHeap(dy) as Float32Array, dW);
    return out;
  }

  const K = info.filterHeight * info.filterWidth * info.inChannels;
  const N = info.batchSize * info.outHeight * info.outWidth;
  const cols = backend.makeOutput([K, N], 'float32');
  try {
    im2colTransposed(info, backend.typedArrayFromHeap(x) as Float32Array, backend.typedArrayFromHeap(cols) as Float32Array);
    const matMul = tf.getKernel(tf.BatchMatMul, 'wasm');
    if (!matMul) throw new Error('Conv2DBackpropFilter (wasm, faultline): wasm BatchMatMul kernel not registered');
    // dy [b, oh, ow, co] is already row-major [N, co]: a view with another shape, same data.
    const dyMatrix: TensorInfo = { dataId: dy.dataId, shape: [N, info.outChannels], dtype: 'float32' };
    const product = matMul.kernelFunc({
      inputs: { a: cols, b: dyMatrix },
      backend,
      attrs: { transposeA: false, transposeB: false },
    }) as TensorInfo;
    // [1, K, co] is the filter [kh, kw, ci, co] in row-major order.
    return { dataId: product.dataId, shape: [...filterShape], dtype: 'float32' };
  } finally {
    backend.disposeData(cols.dataId);
  }
};

/** colsT[k, n]: k = (kh*filterWidth + kw)*inChannels + ci, n = (b*outHeight + oh)*outWidth + ow. */
function im2colTransposed(info: backend_util.Conv2DInfo, x: Float32Array, colsT: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const N = batchSize * outHeight * outWidth;
  const xRow = inWidth * inChannels;
  const xBatch = inHeight * xRow;
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      for (let ci = 0; ci < inChannels; ci++) {
        const rowBase = ((kh * filterWidth + kw) * inChannels + ci) * N;
        let n = rowBase;
        for (let b = 0; b < batchSize; b++) {
          const xb = b * xBatch + ci;
          for (let oh = 0; oh < outHeight; oh++) {
            const ih = oh * strideHeight + kh * dilationHeight - top;
            if (ih < 0 || ih >= inHeight) {
              colsT.fill(0, n, n + outWidth);
              n += outWidth;
              continue;
            }
            const xr = xb + ih * xRow;
            let iw = kw * dilationWidth - left;
            for (let ow = 0; ow < outWidth; ow++, iw += strideWidth) {
              colsT[n++] = iw >= 0 && iw < inWidth ? x[xr + iw * inChannels] : 0;
            }
          }
        }
      }
    }
  }
}

/** dW += x-window (outer) dy, one output position at a time: no temporary buffer. */
function accumulateJs(info: backend_util.Conv2DInfo, x: Float32Array, dy: Float32Array, dW: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  // Accumulate in doubles like the cpu backend's kernel (its dot product is a JS number).
  const acc = new Float64Array(dW.length);
  let dyIndex = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++, dyIndex += outChannels) {
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * strideHeight + kh * dilationHeight - top;
          if (ih < 0 || ih >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = ow * strideWidth + kw * dilationWidth - left;
            if (iw < 0 || iw >= inWidth) continue;
            const xBase = ((b * inHeight + ih) * inWidth + iw) * inChannels;
            const wBase = (kh * filterWidth + kw) * inChannels * outChannels;
            for (let ci = 0; ci < inChannels; ci++) {
              const xv = x[xBase + ci];
              if (xv === 0) continue;
              const w0 = wBase + ci * outChannels;
              for (let co = 0; co < outChannels; co++) acc[w0 + co] += xv * dy[dyIndex + co];
            }
          }
        }
      }
    }
  }
  dW.set(acc);
}

export const conv2DBackpropFilterWasmConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterWasm as unknown as KernelFunc,
};
