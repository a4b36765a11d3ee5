export {
  buildModel,
  compileModel,
  createOptimizer,
  disposeModel,
  validateArchitecture,
  REFERENCE_ARCHITECTURE,
  REFERENCE_INPUT_LENGTH,
  REFERENCE_NUM_CLASSES,
  REFERENCE_PARAM_COUNT,
  type ArchitectureCheck,
  type BuildOptions,
  type CompileOptions,
  type OptimizerName,
} from './build.js';
export { deserializeModel, inspectModelBytes, serializeModel, type SerializeOptions } from './io.js';
export { SeededDropout, setDropoutStep, type SeededDropoutArgs } from './seeded-dropout.js';
