import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { u16le } from '../../src/core/index.js';
import { implementedOpcodes, parameterLength } from '../../src/transport/virtual/commands.js';
import { OP } from '../../src/transport/virtual/constants.js';
import { VirtualController } from '../../src/transport/virtual/controller.js';
import { encodeAcl, encodeCommand } from '../../src/transport/virtual/h4.js';
import { VirtualLink } from '../../src/transport/virtual/link.js';
import { connect, connectedBench, initialisedBench, type Bench } from './support/scripted-host.js';

/** Splits controller output into H4 packets and checks each is well formed. */
function checkPackets(c: VirtualController): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let p = c.pollTransmit(); p; p = c.pollTransmit()) {
    if (p[0] === 0x04) expect(p.length).toBe(3 + p[2]);
    else if (p[0] === 0x02) expect(p.length).toBe(5 + u16le(p, 3));
    else throw new Error(`indicator ${p[0]}`);
    out.push(p);
  }
  return out;
}

function answers(packets: Uint8Array[]): number[] {
  return packets.filter((p) => p[0] === 0x04 && (p[1] === 0x0e || p[1] === 0x0f)).map((p) => (p[1] === 0x0e ? u16le(p, 4) : u16le(p, 5)));
}

const OPCODES = implementedOpcodes().filter((op) => op !== OP.RESET && op !== OP.HOST_NUMBER_OF_COMPLETED_PACKETS);

describe('virtual controller robustness', () => {
  it('any byte stream: never throws, only well-formed packets come out', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
        const c = new VirtualController(new VirtualLink(), { address: '00:AA:01:01:00:01' });
        for (const ch of chunks) c.receive(ch, 0);
        c.handleTimeout(1e9);
        checkPackets(c);
      }),
      { numRuns: 200 },
    );
  });

  it('any implemented command with any parameters: exactly one Command Complete/Status, nothing thrown', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ op: fc.constantFrom(...OPCODES), params: fc.uint8Array({ maxLength: 30 }), exact: fc.boolean(), dt: fc.nat(100) }), {
          maxLength: 25,
        }),
        (cmds) => {
          const t = connectedBench();
          for (const { op, params, exact, dt } of cmds) {
            // With `exact`, pad or cut the parameters to the length the command takes, so that it runs.
            const p = exact ? fitted(op, params) : params;
            t.a.c.receive(encodeCommand(op, p), t.clock.now);
            const got = answers(checkPackets(t.a.c));
            expect(got).toEqual([op]);
            t.advance(dt);
            checkPackets(t.a.c);
            checkPackets(t.b.c);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('random traffic, disconnects and faults: buffers never exceed the ACL count, completions never exceed what was accepted', () => {
    const action = fc.oneof(
      fc.record({ kind: fc.constant('acl' as const), side: fc.constantFrom('a' as const, 'b' as const), n: fc.integer({ min: 1, max: 6 }) }),
      fc.record({ kind: fc.constant('tick' as const), dt: fc.nat(20) }),
      fc.record({ kind: fc.constant('drop' as const), n: fc.nat(3) }),
      fc.record({ kind: fc.constant('lose' as const) }),
      fc.record({ kind: fc.constant('reconnect' as const) }),
    );
    fc.assert(
      fc.property(fc.array(action, { maxLength: 40 }), fc.integer({ min: 1, max: 4 }), (actions, aclCount) => {
        const t: Bench = initialisedBench({ aclCount, seed: 3 });
        let handles: { ha: number; hb: number } | undefined = connect(t);
        const accepted = { a: 0, b: 0 };
        const completed = { a: 0, b: 0 };
        const drain = () => {
          for (const side of ['a', 'b'] as const) {
            for (const r of t[side].drain()) {
              if (r.kind !== 'event') continue;
              if (r.code === 0x13) completed[side] += u16le(r.params, 3);
              if (r.code === 0x05) handles = undefined;
            }
          }
        };
        for (const act of actions) {
          if (act.kind === 'acl' && handles) {
            const h = act.side === 'a' ? handles.ha : handles.hb;
            for (let i = 0; i < act.n; i++) {
              const before = t[act.side].c.connections.buffersInUse;
              t[act.side].c.receive(encodeAcl(h, 0b10, 0, Uint8Array.of(i)), t.clock.now);
              if (t[act.side].c.connections.buffersInUse > before) accepted[act.side]++;
            }
          } else if (act.kind === 'tick') t.advance(act.dt);
          else if (act.kind === 'drop') t.link.dropNextAcl(act.n);
          else if (act.kind === 'lose') t.link.loseConnection(t.a.address, t.b.address, t.clock.now);
          else if (act.kind === 'reconnect' && !handles) {
            drain();
            handles = connect(t);
          }
          for (const side of ['a', 'b'] as const) expect(t[side].c.connections.buffersInUse).toBeLessThanOrEqual(aclCount);
          drain();
          expect(completed.a).toBeLessThanOrEqual(accepted.a);
          expect(completed.b).toBeLessThanOrEqual(accepted.b);
        }
      }),
      { numRuns: 150 },
    );
  });
});

/** Parameters cut or zero-padded to the length the command takes. */
function fitted(op: number, params: Uint8Array): Uint8Array {
  const length = parameterLength(op)!;
  const n = typeof length === 'number' ? length : Math.max(length[0], params.length);
  const out = new Uint8Array(n);
  out.set(params.subarray(0, n));
  return out;
}
