import { AttributeType, DataType, type AttributeProto, type NodeProto, type TensorProto } from './proto.js';

/** Collects nodes and initializers with unique names while the exporter walks a model. */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>();

  /** A tensor name not used yet, derived from `base`. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  floatInit(base: string, dims: number[], values: Float32Array): string {
    const name = this.fresh(base);
    const raw = new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
    this.initializers.push({ name, dims, dataType: DataType.FLOAT, rawData: raw });
    return name;
  }

  int64Init(base: string, values: number[]): string {
    const name = this.fresh(base);
    this.initializers.push({ name, dims: [values.length], dataType: DataType.INT64, int64Data: values });
    return name;
  }

  /** Adds one node; returns its (single) output name. */
  node(opType: string, inputs: string[], outputBase: string, attributes: AttributeProto[] = []): string {
    const output = this.fresh(outputBase);
    this.nodes.push({ name: output, opType, input: inputs, output: [output], attribute: attributes });
    return output;
  }
}

export const ints = (name: string, values: number[]): AttributeProto => ({ name, type: AttributeType.INTS, ints: values });
export const int = (name: string, value: number): AttributeProto => ({ name, type: AttributeType.INT, i: value });
export const float = (name: string, value: number): AttributeProto => ({ name, type: AttributeType.FLOAT, f: value });
