/**
 * `--trace`: every HCI packet the adapter sends (`<`) or receives (`>`), decoded layer by layer by
 * the trace decoder (src/trace/describe.ts), printed as it passes. The CLI writes it to stderr, so
 * that stdout keeps only what the command prints.
 */
import type { Adapter } from '../socket/index.js';
import { PacketDecoder } from '../trace/index.js';
import { clearProgressLine } from './progress.js';

/** Starts the trace; returns the function that stops it. */
export function printTrace(adapter: Adapter, write: (line: string) => void = (line) => process.stderr.write(line + '\n')): () => void {
  const decoder = new PacketDecoder();
  const before = adapter.stack.tracing;
  adapter.stack.tracing = true;
  const unwatch = adapter.watch((e) => {
    if (e.type !== 'packet') return;
    clearProgressLine();
    decoder.describe(e.direction, e.bytes).forEach((line, i) => write(`  ${i > 0 ? ' ' : e.direction === 'tx' ? '<' : '>'} ${line}`));
  });
  return () => {
    unwatch();
    adapter.stack.tracing = before;
  };
}
