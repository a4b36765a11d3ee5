export { initBackend, nativeTfInstalled, resetBackendSelectionForTests, type BackendAttempt, type BackendInfo } from './backend.js';
export { registerWasmTrainingKernels, conv2DBackpropFilterWasmConfig } from './kernels/index.js';
export { registerDilatedConvGradient, conv2DGradWithDilations } from './gradients/conv2d-dilated.js';
export { setBackpropFilterStrategy, type BackpropFilterStrategy, type Conv2DBackpropFilterWasmAttrs } from './kernels/conv2d-backprop-filter-wasm.js';
