#!/usr/bin/env node
// Runs an ONNX file with ONNX Runtime (CPU, all graph optimisations) on int64 token inputs.
//   node tools/onnxruntime/run_onnx.js MODEL.onnx INPUTS.json [--threads N] [--time ROUNDS]
// INPUTS.json: {"input_ids": [[...], ...], "attention_mask": [[...]], "token_type_ids": [[...]]}; only the
// model's own inputs are fed. Prints {"logits": [[...]], "ms": [per-round times]} as JSON on stdout.
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));

function fail(message) {
  process.stderr.write(`run_onnx: ${message}\n`);
  process.exit(2);
}

function tensorOf(rows, name) {
  if (!Array.isArray(rows) || rows.length === 0 || !Array.isArray(rows[0])) fail(`${name}: give a non-empty list of rows`);
  const width = rows[0].length;
  const data = new BigInt64Array(rows.length * width);
  rows.forEach((row, r) => {
    if (row.length !== width) fail(`${name}: row ${r} has ${row.length} entries, row 0 has ${width}`);
    row.forEach((value, c) => { data[r * width + c] = BigInt(value); });
  });
  return new ort.Tensor('int64', data, [rows.length, width]);
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length < 2) fail('usage: run_onnx.js MODEL.onnx INPUTS.json [--threads N] [--time ROUNDS]');
  const option = (flag, fallback) => { const i = args.indexOf(flag); return i >= 0 ? Number(args[i + 1]) : fallback; };
  const threads = option('--threads', 0), rounds = option('--time', 0);
  const inputs = JSON.parse(fs.readFileSync(args[1], 'utf8'));
  const session = await ort.InferenceSession.create(args[0], {
    graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential'});
  const feeds = {};
  for (const name of session.inputNames) {
    if (!(name in inputs)) fail(`the model takes ${name}, which ${args[1]} does not give`);
    feeds[name] = tensorOf(inputs[name], name);
  }
  let output = await session.run(feeds);
  const ms = [];
  for (let i = 0; i < rounds; ++i) {
    const start = process.hrtime.bigint();
    output = await session.run(feeds);
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const logits = output.logits;
  const [batch, labels] = logits.dims;
  const rows = [];
  for (let r = 0; r < batch; ++r) rows.push(Array.from(logits.data.slice(r * labels, (r + 1) * labels)));
  process.stdout.write(JSON.stringify({logits: rows, ms}) + '\n');
}

main().catch((error) => fail(error.message));
