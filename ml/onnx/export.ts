import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { float, GraphBuilder, int, ints } from './graph.js';
import { DataType, encodeModel, type ModelProto, type ValueInfoProto } from './proto.js';

/**
 * tfjs LayersModel -> ONNX (opset 17, IR 8), one ONNX subgraph per tfjs layer.
 *
 * tfjs 1D layers are channels-last ([batch, length, channels]); ONNX Conv and pooling are
 * channels-first. The graph transposes the input once, runs channels-first throughout, and
 * transposes back only where the element order matters (flatten), so a model costs two
 * Transposes at most. Lengths are static (the model's input length); the batch is dynamic.
 *
 * Padding is written as explicit pads computed exactly as tfjs does ('same': the odd pixel goes
 * to the end), not as auto_pad, so the two engines see the same window for every output.
 */

export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;
export const INPUT_NAME = 'signal';
export const OUTPUT_NAME = 'probabilities';
/** Metadata key of the layer -> tensor map the parity check uses to find a diverging layer. */
export const PROBES_KEY = 'faultline.layer_outputs';

/** Where a tfjs layer's output lives in the ONNX graph, and in which layout. */
export interface LayerProbe {
  layer: string;
  className: string;
  tensor: string;
  /** 'ncw': [batch, channels, length] (tfjs has it as [batch, length, channels]); 'nc': 2-D as in tfjs. */
  layout: 'ncw' | 'nc';
}

export interface OnnxExport {
  bytes: Uint8Array;
  inputName: string;
  outputName: string;
  inputLength: number;
  inputChannels: number;
  outputSize: number;
  probes: LayerProbe[];
  /** Layer kinds (tfjs class names) in the model, for reports. */
  layerKinds: string[];
}

/** A layer (or a setting of one) with no ONNX translation here; names the layer. */
export class UnsupportedLayerError extends Error {
  constructor(
    readonly layer: string,
    readonly className: string,
    reason: string,
  ) {
    super(`layer "${layer}" (${className}) cannot be exported to ONNX: ${reason}`);
    this.name = 'UnsupportedLayerError';
  }
}

interface Value {
  name: string;
  layout: 'ncw' | 'nc';
}

/** Layers that are the identity at inference. */
const IDENTITY_CLASSES = new Set(['Dropout', 'FaultlineSeededDropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']);

type Config = Record<string, unknown>;

const first = (v: unknown): number => (Array.isArray(v) ? Number(v[0]) : Number(v));

/** tfjs' 'same' padding: total = max(0, (out - 1) * stride + effective - in), the odd one at the end. */
export function samePads(length: number, effectiveKernel: number, stride: number): [number, number] {
  const out = Math.ceil(length / stride);
  const total = Math.max(0, (out - 1) * stride + effectiveKernel - length);
  const begin = Math.floor(total / 2);
  return [begin, total - begin];
}

export interface ExportOptions {
  /** Recorded in the model (producer_version, doc string); e.g. the experiment id. */
  docString?: string;
  producerVersion?: string;
}

export function exportToOnnx(model: tfl.LayersModel, opts: ExportOptions = {}): OnnxExport {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new UnsupportedLayerError(
      model.name,
      'LayersModel',
      `needs exactly one input and one output, has ${model.inputs.length} and ${model.outputs.length}`,
    );
  }
  const inShape = model.inputs[0].shape;
  if (inShape.length !== 3 || inShape[1] == null || inShape[2] == null) {
    throw new UnsupportedLayerError(
      model.inputs[0].name,
      'InputLayer',
      `expects input [batch, length, channels] with a fixed length, got [${inShape.join(', ')}]`,
    );
  }
  const inputLength = inShape[1];
  const inputChannels = inShape[2];
  const g = new GraphBuilder();
  g.fresh(INPUT_NAME);
  const values = new Map<string, Value>();
  const probes: LayerProbe[] = [];
  const kinds = new Set<string>();

  for (const layer of model.layers) {
    const className = layer.getClassName();
    kinds.add(className);
    const refuse = (reason: string): never => {
      throw new UnsupportedLayerError(layer.name, className, reason);
    };
    if (className === 'InputLayer') {
      const t = g.node('Transpose', [INPUT_NAME], `${layer.name}_ncw`, [ints('perm', [0, 2, 1])]);
      values.set(layer.name, { name: t, layout: 'ncw' });
      continue;
    }
    if (layer.inboundNodes.length !== 1) refuse(`used ${layer.inboundNodes.length} times (shared layers are not supported)`);
    const inputs = layer.inboundNodes[0].inboundLayers.map((l) => {
      const v = values.get(l.name);
      if (!v) return refuse(`its input "${l.name}" was not exported before it`);
      return v;
    });
    const config = layer.getConfig() as Config;
    const weights = layer.getWeights();
    // Sequence length seen by this layer ('same' pads depend on it); unused for 2-D inputs.
    const inShapeOfLayer = layer.inboundNodes[0].inboundLayers[0].outputShape as (number | null)[];
    const length = Number(inShapeOfLayer[1] ?? 0);
    const out = translate(g, { name: layer.name, className, config, weights, length }, inputs, refuse);
    values.set(layer.name, out);
    probes.push({ layer: layer.name, className, tensor: out.name, layout: out.layout });
  }

  const last = values.get(model.outputLayers[0].name);
  if (!last) throw new UnsupportedLayerError(model.outputLayers[0].name, model.outputLayers[0].getClassName(), 'the output layer was not exported');
  if (last.layout !== 'nc') {
    throw new UnsupportedLayerError(model.outputLayers[0].name, model.outputLayers[0].getClassName(), 'the model output must be 2-D [batch, classes]');
  }
  const outShape = model.outputs[0].shape;
  const outputSize = Number(outShape[1]);
  g.nodes.push({ name: OUTPUT_NAME, opType: 'Identity', input: [last.name], output: [OUTPUT_NAME] });

  const tensorInfo = (name: string, dims: (number | string)[]): ValueInfoProto => ({
    name,
    type: {
      tensorType: {
        elemType: DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });
  const proto: ModelProto = {
    irVersion: ONNX_IR_VERSION,
    producerName: 'faultline',
    producerVersion: opts.producerVersion ?? '1',
    docString: opts.docString ?? `exported from tfjs model ${model.name}`,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    graph: {
      name: model.name,
      node: g.nodes,
      initializer: g.initializers,
      input: [tensorInfo(INPUT_NAME, ['batch', inputLength, inputChannels])],
      output: [tensorInfo(OUTPUT_NAME, ['batch', outputSize])],
    },
    metadataProps: [{ key: PROBES_KEY, value: JSON.stringify(probes) }],
  };
  return {
    bytes: encodeModel(proto),
    inputName: INPUT_NAME,
    outputName: OUTPUT_NAME,
    inputLength,
    inputChannels,
    outputSize,
    probes,
    layerKinds: [...kinds],
  };
}

function data(t: tf.Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}

function transposed(t: tf.Tensor, perm: number[]): Float32Array {
  const p = tf.transpose(t, perm);
  try {
    return Float32Array.from(p.dataSync() as Float32Array);
  } finally {
    p.dispose();
  }
}

interface LayerFacts {
  name: string;
  className: string;
  config: Config;
  weights: tf.Tensor[];
  /** Input sequence length (3-D inputs). */
  length: number;
}

function translate(g: GraphBuilder, layer: LayerFacts, inputs: Value[], refuse: (reason: string) => never): Value {
  const { name, className, config, weights, length } = layer;
  const single = (): Value => {
    if (inputs.length !== 1) refuse(`expects one input, has ${inputs.length}`);
    return inputs[0];
  };
  const channelsLast = (): void => {
    const format = config.dataFormat;
    if (format !== undefined && format !== 'channelsLast') refuse(`dataFormat "${String(format)}" (only channelsLast)`);
  };
  if (IDENTITY_CLASSES.has(className)) {
    const x = single();
    return { name: g.node('Identity', [x.name], name), layout: x.layout };
  }
  switch (className) {
    case 'Conv1D': {
      channelsLast();
      const x = single();
      if (x.layout !== 'ncw') refuse('input is not a sequence');
      const kernel = weights[0];
      const [k, inC, outC] = kernel.shape;
      const stride = first(config.strides);
      const dilation = first(config.dilationRate ?? 1);
      const pads = convPads(config.padding, (k - 1) * dilation + 1, stride, length, refuse);
      const w = g.floatInit(`${name}.weight`, [outC, inC, k], transposed(kernel, [2, 1, 0]));
      const convInputs = [x.name, w];
      if (config.useBias !== false && weights[1]) convInputs.push(g.floatInit(`${name}.bias`, [outC], data(weights[1])));
      const y = g.node('Conv', convInputs, `${name}_conv`, [
        ints('kernel_shape', [k]),
        ints('strides', [stride]),
        ints('dilations', [dilation]),
        ints('pads', pads),
        int('group', 1),
      ]);
      return activation(g, name, className, { name: y, layout: 'ncw' }, config.activation, refuse);
    }
    case 'BatchNormalization': {
      const x = single();
      const axis = Number(config.axis ?? -1);
      if (!(axis === -1 || (x.layout === 'ncw' && axis === 2) || (x.layout === 'nc' && axis === 1))) refuse(`normalises axis ${axis} (only the channel axis)`);
      const channels = weights[weights.length - 1].shape[0];
      let i = 0;
      const ones = new Float32Array(channels).fill(1);
      const zeros = new Float32Array(channels);
      const gamma = config.scale !== false ? data(weights[i++]) : ones;
      const beta = config.center !== false ? data(weights[i++]) : zeros;
      const mean = data(weights[i++]);
      const variance = data(weights[i++]);
      const y = g.node(
        'BatchNormalization',
        [
          x.name,
          g.floatInit(`${name}.gamma`, [channels], gamma),
          g.floatInit(`${name}.beta`, [channels], beta),
          g.floatInit(`${name}.mean`, [channels], mean),
          g.floatInit(`${name}.var`, [channels], variance),
        ],
        name,
        [float('epsilon', Number(config.epsilon ?? 1e-3))],
      );
      return { name: y, layout: x.layout };
    }
    case 'Activation':
      return activation(g, name, className, single(), config.activation, refuse);
    case 'ReLU': {
      if (config.maxValue != null) refuse(`maxValue ${String(config.maxValue)} (only plain ReLU)`);
      const x = single();
      return { name: g.node('Relu', [x.name], name), layout: x.layout };
    }
    case 'Softmax': {
      const x = single();
      const axis = first(config.axis ?? -1);
      const lastAxis = x.layout === 'nc' ? 1 : 2;
      if (axis !== -1 && axis !== lastAxis) refuse(`softmax over axis ${String(config.axis)} (only the last)`);
      return { name: g.node('Softmax', [x.name], name, [int('axis', 1)]), layout: x.layout };
    }
    case 'Add': {
      if (inputs.length < 2) refuse('needs at least two inputs');
      if (new Set(inputs.map((v) => v.layout)).size !== 1) refuse('adds tensors of different rank');
      let acc = inputs[0].name;
      for (let j = 1; j < inputs.length; j++) acc = g.node('Add', [acc, inputs[j].name], j === inputs.length - 1 ? name : `${name}_partial`);
      return { name: acc, layout: inputs[0].layout };
    }
    case 'MaxPooling1D':
    case 'AveragePooling1D': {
      channelsLast();
      const x = single();
      const size = first(config.poolSize);
      const stride = first(config.strides ?? size);
      const padding = String(config.padding ?? 'valid');
      if (padding !== 'valid' && padding !== 'same') refuse(`padding "${padding}"`);
      const pads = padding === 'same' ? samePads(length, size, stride) : [0, 0];
      const y = g.node(className === 'MaxPooling1D' ? 'MaxPool' : 'AveragePool', [x.name], name, [
        ints('kernel_shape', [size]),
        ints('strides', [stride]),
        ints('pads', pads),
      ]);
      return { name: y, layout: 'ncw' };
    }
    case 'GlobalAveragePooling1D':
    case 'GlobalMaxPooling1D': {
      channelsLast();
      const x = single();
      if (x.layout !== 'ncw') refuse('input is not a sequence');
      const pooled = g.node(className === 'GlobalAveragePooling1D' ? 'GlobalAveragePool' : 'GlobalMaxPool', [x.name], `${name}_pool`);
      return { name: g.node('Flatten', [pooled], name, [int('axis', 1)]), layout: 'nc' };
    }
    case 'Flatten': {
      const x = single();
      if (x.layout === 'nc') return { name: g.node('Identity', [x.name], name), layout: 'nc' };
      // tfjs flattens [length, channels] row-major: go back to channels-last first.
      const nwc = g.node('Transpose', [x.name], `${name}_nwc`, [ints('perm', [0, 2, 1])]);
      return { name: g.node('Flatten', [nwc], name, [int('axis', 1)]), layout: 'nc' };
    }
    case 'Dense': {
      const x = single();
      if (x.layout !== 'nc') refuse('input is 3-D (only dense on [batch, features])');
      const [inF, outF] = weights[0].shape;
      const gemmInputs = [x.name, g.floatInit(`${name}.kernel`, [inF, outF], data(weights[0]))];
      if (config.useBias !== false && weights[1]) gemmInputs.push(g.floatInit(`${name}.bias`, [outF], data(weights[1])));
      const y = g.node('Gemm', gemmInputs, `${name}_gemm`);
      return activation(g, name, className, { name: y, layout: 'nc' }, config.activation, refuse);
    }
    default:
      return refuse('no ONNX translation for this layer kind');
  }
}

function convPads(padding: unknown, effectiveKernel: number, stride: number, length: number, refuse: (reason: string) => never): number[] {
  switch (padding ?? 'valid') {
    case 'valid':
      return [0, 0];
    case 'same':
      return samePads(length, effectiveKernel, stride);
    default:
      return refuse(`padding "${String(padding)}"`);
  }
}

function activation(g: GraphBuilder, name: string, className: string, x: Value, act: unknown, refuse: (reason: string) => never): Value {
  const a = act === undefined || act === null ? 'linear' : String(act);
  const out = (op: string, attrs: ReturnType<typeof int>[] = []): Value => ({ name: g.node(op, [x.name], name, attrs), layout: x.layout });
  switch (a) {
    case 'linear':
      return out('Identity');
    case 'relu':
      return out('Relu');
    case 'sigmoid':
      return out('Sigmoid');
    case 'tanh':
      return out('Tanh');
    case 'softmax':
      // tfjs softmax runs over the last (channel) axis: axis 1 in both of our layouts.
      return out('Softmax', [int('axis', 1)]);
    default:
      return refuse(`activation "${a}" in ${className}`);
  }
}
