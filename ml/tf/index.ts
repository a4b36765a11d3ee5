export { initBackend, resetBackendSelectionForTests, type BackendAttempt, type BackendInfo } from './backend.js';
export { registerWasmTrainingKernels, conv2DBackpropFilterWasmConfig } from './kernels/index.js';
