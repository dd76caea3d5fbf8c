#!/usr/bin/env node
// Bundles the CLI that tsc wrote to dist/cli into dist/btc, the `btc` bin (package.json): Node 20
// loads ES modules one by one (resolve, read, compile, link each), which was a tenth of a short
// `btc decode`; esbuild joins them into one chunk per command (`splitting`: a command still loads
// only what it uses) with source maps that chain to src/ (docs/performance.md, "Decoding
// captures"). The optional native bindings stay outside, loaded from node_modules when asked for.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const OUT = 'dist/btc';
rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: ['dist/cli/main.js'],
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  sourcemap: true,
  external: ['@stoprocent/*', '@abandonware/*', 'serialport'],
  logLevel: 'warning',
});
