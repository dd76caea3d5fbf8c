/**
 * Replay of the L2CAP signaling in ../shared/traces: every C-frame decodes and re-encodes byte
 * for byte, and our stack, given the peer's requests, answers with the host's result codes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesEqual } from '../../src/core/index.js';
import { AclReassembler, decodeAcl } from '../../src/hci/index.js';
import { CID, decodeBasicFrame, decodeSignalingFrame, encodeSignal } from '../../src/l2cap/index.js';
import { readCapture } from '../../src/trace/index.js';
import { traceFiles, tracePath, tracesMissing } from '../support/env.js';
import { type LinkRecord, replaySignaling, signalingOf } from './support/replay.js';

const files = traceFiles();

function load(name: string) {
  return readCapture(new Uint8Array(readFileSync(tracePath(name))));
}

describe.skipIf(tracesMissing())('L2CAP signaling in real captures', () => {
  it.each(files)('%s: every C-frame on CID 1 decodes and re-encodes byte for byte', (name) => {
    const acl = { tx: new AclReassembler(), rx: new AclReassembler() };
    let commands = 0;
    for (const rec of load(name)) {
      if (rec.kind !== 'acl' || rec.cut) continue;
      const pdu = acl[rec.direction].push(decodeAcl(rec.h4.subarray(1)));
      if (!pdu) continue;
      const frame = decodeBasicFrame(pdu);
      if (frame.cid !== CID.SIGNALING) continue;
      const decoded = decodeSignalingFrame(frame.payload);
      expect(decoded.tail).toBeUndefined();
      for (const c of decoded.commands) {
        commands++;
        expect(c.kind).toBe('signal');
        if (c.kind === 'signal') expect(bytesEqual(encodeSignal(c.signal), c.bytes)).toBe(true);
      }
    }
    if (/OPPO|bluffs|HappyLeaf/.test(name)) expect(commands).toBeGreaterThan(0);
  });

  it.each(files)('%s: our answers to the peer carry the host result codes', (name) => {
    const items: LinkRecord[] = [...signalingOf(load(name))];
    const report = replaySignaling(items);
    expect(report.mismatches).toEqual([]);
    const peerRequests = items.filter((i) => i.type === 'signal' && i.direction === 'rx' && /request/.test(i.signal.type)).length;
    if (peerRequests > 0) expect(report.compared).toBeGreaterThan(0);
  });
});
