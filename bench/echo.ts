/**
 * Echo round trips between two sockets, the same in this process (virtual adapters) and between
 * two processes (over btvirt): one side sends 16 bytes and waits for them to come back.
 */
import { performance } from 'node:perf_hooks';
import type { BluetoothSocket } from '../src/socket/index.js';
import { percentile } from './measure.js';

/** Sends back what arrives until the peer closes (or the socket fails). */
export async function serveEcho(sock: BluetoothSocket): Promise<void> {
  for (;;) {
    const d = await sock.recv(1024).catch(() => Buffer.alloc(0));
    if (d.length === 0) return;
    await sock.send(d);
  }
}

/** Median, p90 and p99 (µs) of `trips` round trips of 16 bytes to a `serveEcho` peer. */
export async function echoRoundTrips(sock: BluetoothSocket, trips: number): Promise<{ median: number; p90: number; p99: number }> {
  const msg = Buffer.from('0123456789abcdef');
  const rtts: number[] = [];
  for (let i = 0; i < trips; i++) {
    const t0 = performance.now();
    await sock.send(msg);
    let got = 0;
    while (got < msg.length) got += (await sock.recv(1024)).length;
    rtts.push((performance.now() - t0) * 1000);
  }
  return { median: percentile(rtts, 50), p90: percentile(rtts, 90), p99: percentile(rtts, 99) };
}
