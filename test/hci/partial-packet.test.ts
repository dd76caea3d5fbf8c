/**
 * A byte stream that stops mid-packet (HciHostOptions.byteStream). Regression (found by
 * `npm run fuzz -- --layer h4 --seed 3`, docs/fuzzing.md): after `04 13 85 01` (an event header
 * announcing 133 octets, one of them sent) the host waited for the rest forever; the controller's
 * next packets were swallowed into it and, with a quiet controller, nothing ever said the stream
 * was broken. A packet left unfinished while no byte comes for 5 s now ends the stream with a fatal error.
 */
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../src/core/index.js';
import { HciHost, type HostEvent } from '../../src/hci/index.js';

function drain(host: HciHost): HostEvent[] {
  const out: HostEvent[] = [];
  for (let e = host.pollEvent(); e; e = host.pollEvent()) out.push(e);
  return out;
}

describe('HciHost on a byte stream', () => {
  it('ends the stream when a packet is left unfinished and no byte comes for 5 s', () => {
    const host = new HciHost({ byteStream: true });
    host.start(0);
    for (let b = host.pollTransmit(); b; b = host.pollTransmit());
    drain(host);
    host.receive(fromHex('04138501'), 100);
    expect(host.pollTimeout()).toBe(5100);
    host.handleTimeout(5099);
    expect(drain(host).some((e) => e.type === 'error' && e.fatal)).toBe(false);
    host.handleTimeout(5100);
    const fatal = drain(host).find((e) => e.type === 'error' && e.fatal);
    expect(fatal?.type === 'error' && fatal.error.message).toMatch(/no byte came for 5000 ms in the middle of a packet \(4 octets/);
    host.receive(fromHex('040e0401030c00'), 5200);
    expect(drain(host).filter((e) => e.type !== 'packet')).toEqual([]);
  });

  it('forgets the deadline once the packet came whole', () => {
    const host = new HciHost({ byteStream: true });
    host.start(0);
    for (let b = host.pollTransmit(); b; b = host.pollTransmit());
    host.receive(fromHex('040e04'), 100);
    expect(host.pollTimeout()).toBe(5100);
    host.receive(fromHex('01030c00'), 150);
    expect(host.pollTimeout()).toBeUndefined();
  });

  it('measures the silence from the latest bytes: a slow packet that keeps coming is not cut off', () => {
    const host = new HciHost({ byteStream: true });
    host.start(0);
    for (let b = host.pollTransmit(); b; b = host.pollTransmit());
    drain(host);
    host.receive(fromHex('040e04'), 0);
    host.receive(fromHex('01'), 4000);
    expect(host.pollTimeout()).toBe(9000);
    host.handleTimeout(8000);
    host.receive(fromHex('030c00'), 8000);
    expect(drain(host).some((e) => e.type === 'error' && e.fatal)).toBe(false);
    expect(host.pollTimeout()).toBeUndefined();
  });

  it('has no such deadline on a transport that keeps packet boundaries', () => {
    const host = new HciHost({});
    host.start(0);
    for (let b = host.pollTransmit(); b; b = host.pollTransmit());
    host.receive(fromHex('041385'), 100);
    expect(host.pollTimeout()).toBe(10_000);
  });
});
