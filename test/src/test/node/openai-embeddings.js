// Calls modelserve's /v1/embeddings with OpenAI's own SDK, baseURL pointed at the ingress.
// Usage: node openai-embeddings.js <http://host:port/v1> <model>; prints one JSON object.
const OpenAI = require('openai');

const [baseURL, model] = process.argv.slice(2);
const client = new OpenAI({baseURL, apiKey: 'unused'});

(async () => {
  const one = await client.embeddings.create({model, input: 'hello world', encoding_format: 'float'});
  const list = await client.embeddings.create({model, input: ['hello world', 'the stock market fell sharply'],
    encoding_format: 'float'});
  // Without encoding_format the SDK asks for base64 and decodes it to numbers itself.
  const base64 = await client.embeddings.create({model, input: ['hello world', 'the stock market fell sharply']});
  const models = await client.models.list();
  let missing;
  try {
    await client.embeddings.create({model: 'NoSuchModel', input: 'x'});
  } catch (e) {
    missing = {status: e.status, code: e.code, type: e.type, message: e.message};
  }
  console.log(JSON.stringify({
    one: {model: one.model, usage: one.usage, count: one.data.length, embedding: one.data[0].embedding},
    list: {usage: list.usage, indexes: list.data.map(d => d.index), embeddings: list.data.map(d => d.embedding)},
    base64: {embeddings: base64.data.map(d => Array.from(d.embedding))},
    models: models.data.map(m => m.id),
    missing,
  }));
})().catch(e => { console.error(e); process.exit(1); });
