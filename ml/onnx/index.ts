export {
  exportToOnnx,
  samePads,
  UnsupportedLayerError,
  INPUT_NAME,
  OUTPUT_NAME,
  ONNX_OPSET,
  ONNX_IR_VERSION,
  type ExportOptions,
  type LayerProbe,
  type OnnxExport,
} from './export.js';
export { checkParity, tfjsPredict, ParityError, PARITY_TOLERANCE, PARITY_WINDOWS, type ParityReport, type ParityWindows } from './parity.js';
export { decodeModel, encodeModel, DataType, type ModelProto } from './proto.js';
export { createSession, runWindows, type GraphOptimization, type OrtSession, type SessionOptions } from './runtime.js';
export { toFloat16Weights, toHalfBits } from './float16.js';
export {
  quantizeStatic,
  quantizeDynamic,
  foldForQuantization,
  windowsSha256,
  CalibrationError,
  type CalibrationWindows,
  type QuantizeReport,
  type StaticQuantizeOptions,
  type DynamicQuantizeOptions,
} from './quantize.js';
