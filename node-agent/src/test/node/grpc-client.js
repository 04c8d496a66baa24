// Calls modelserve's GRPCInferenceService as any Node user of the Open Inference Protocol would:
// @grpc/grpc-js with the protocol's proto file loaded by @grpc/proto-loader.
// Usage: node grpc-client.js <grpc_predict_v2.proto> <host:port>; prints one JSON object.
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [protoFile, address] = process.argv.slice(2);
const definition = protoLoader.loadSync(protoFile, {keepCase: true, longs: String, defaults: true});
const inference = grpc.loadPackageDefinition(definition).inference;
const client = new inference.GRPCInferenceService(address, grpc.credentials.createInsecure());

function call(method, request) {
  return new Promise(resolve => client[method](request, (error, response) =>
    resolve(error ? {code: grpc.status[error.code], details: error.details} : response)));
}

function floats(buffer) {
  const values = [];
  for (let i = 0; i < buffer.length; i += 4) values.push(buffer.readFloatLE(i));
  return values;
}

(async () => {
  const x = Buffer.alloc(24);
  [1, 2, 3, 4, 5, 6.5].forEach((v, i) => x.writeFloatLE(v, i * 4));
  const n = Buffer.alloc(16);
  n.writeBigInt64LE(7n, 0);
  n.writeBigInt64LE(-8n, 8);
  const inputs = [
    {name: 'x', datatype: 'FP32', shape: [2, 3]},
    {name: 'n', datatype: 'INT64', shape: [2]},
  ];
  const raw = await call('ModelInfer', {model_name: 'Sums', id: 'raw-1', inputs, raw_input_contents: [x, n]});
  const typed = await call('ModelInfer', {model_name: 'Sums', model_version: 'v2', inputs: [
    {name: 'x', datatype: 'FP32', shape: [1, 3], contents: {fp32_contents: [0.5, 0.25, 0.125]}},
    {name: 'n', datatype: 'INT64', shape: [1], contents: {int64_contents: [3]}},
  ]});
  const wrong = await call('ModelInfer', {model_name: 'Sums', inputs: [
    {name: 'x', datatype: 'INT32', shape: [1, 3], contents: {int_contents: [1, 2, 3]}},
    {name: 'n', datatype: 'INT64', shape: [1], contents: {int64_contents: [3]}},
  ]});
  const result = {
    live: (await call('ServerLive', {})).live,
    ready: (await call('ServerReady', {})).ready,
    server: await call('ServerMetadata', {}),
    model: await call('ModelMetadata', {name: 'Sums'}),
    modelReady: (await call('ModelReady', {name: 'Sums', version: 'v2'})).ready,
    unknown: await call('ModelMetadata', {name: 'Nope'}),
    raw: {model_name: raw.model_name, model_version: raw.model_version, id: raw.id,
      outputs: raw.outputs && raw.outputs.map(o => ({name: o.name, datatype: o.datatype, shape: o.shape})),
      sums: raw.raw_output_contents && floats(raw.raw_output_contents[0]),
      n: raw.raw_output_contents && [raw.raw_output_contents[1].readBigInt64LE(0).toString(),
        raw.raw_output_contents[1].readBigInt64LE(8).toString()]},
    typed: {model_version: typed.model_version, sums: typed.raw_output_contents && floats(typed.raw_output_contents[0])},
    wrong,
  };
  console.log(JSON.stringify(result));
  client.close();
})();
