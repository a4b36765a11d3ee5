import * as tf from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterWasmConfig } from './conv2d-backprop-filter-wasm.js';

/**
 * Kernels the stock wasm backend lacks but training needs. Registered before the wasm backend
 * is activated; idempotent (tfjs warns and overwrites on double registration, so we check).
 */
export function registerWasmTrainingKernels(): void {
  for (const config of [conv2DBackpropFilterWasmConfig]) {
    if (tf.getKernel(config.kernelName, config.backendName) == null) tf.registerKernel(config);
  }
}

export { conv2DBackpropFilterWasmConfig };
