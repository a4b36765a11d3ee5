import * as tf from '@tensorflow/tfjs-core';
export const conv2DBackpropFilterWasmConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: () => {
    throw new Error('not implemented yet');
  },
};
