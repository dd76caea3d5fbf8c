/**
 * A scripted lower tester for `HciHost` tests: it reads the host's H4 packets and answers commands
 * the way a BR/EDR controller does (Command Complete with return parameters, or Command Status for
 * commands that complete later), unless the test asked it to stay silent.
 */
import { type BdAddr, concat } from '../../src/core/index.js';
import {
  commandCompleteEvent,
  type CommandName,
  commandOpcode,
  decodeHciPacket,
  encodeHciPacket,
  type HciCommand,
  type HciEvent,
  type HciHost,
  type HostEvent,
} from '../../src/hci/index.js';

export const CONTROLLER_ADDRESS: BdAddr = '00:1A:7D:DA:71:13';

const STATUS_ONLY: ReadonlySet<string> = new Set(['Inquiry', 'Create Connection', 'Disconnect', 'Accept Connection Request', 'Reject Connection Request', 'Remote Name Request', 'Authentication Requested', 'Set Connection Encryption']);

export function h4Event(event: HciEvent): Uint8Array {
  return encodeHciPacket({ type: 'event', event });
}

export function answer(cmd: HciCommand): HciEvent | undefined {
  if (cmd.name === 'Unknown Command') return undefined;
  if (STATUS_ONLY.has(cmd.name)) return { name: 'Command Status', status: 0, numHciCommandPackets: 1, opcode: commandOpcode(cmd) };
  const name = cmd.name as CommandName;
  switch (name) {
    case 'Read BD_ADDR':
      return commandCompleteEvent(name, { status: 0, bdaddr: CONTROLLER_ADDRESS });
    case 'Read Buffer Size':
      return commandCompleteEvent(name, { status: 0, aclDataPacketLength: 27, synchronousDataPacketLength: 64, totalNumAclDataPackets: 4, totalNumSynchronousDataPackets: 0 });
    case 'Read Local Version Information':
      return commandCompleteEvent(name, { status: 0, hciVersion: 9, hciSubversion: 0, lmpVersion: 9, companyIdentifier: 0x05f1, lmpSubversion: 0 });
    case 'Read Local Supported Features':
      return commandCompleteEvent(name, { status: 0, lmpFeatures: new Uint8Array(8).fill(0xff) });
    case 'Read Local Supported Commands':
      return commandCompleteEvent(name, { status: 0, supportedCommands: new Uint8Array(64).fill(0xff) });
    case 'Read Local Name':
      return commandCompleteEvent(name, { status: 0, localName: 'scripted' });
    default:
      return commandCompleteEvent(name, ('bdaddr' in cmd ? { status: 0, bdaddr: cmd.bdaddr } : { status: 0 }) as never);
  }
}

export class ScriptedController {
  readonly commands: HciCommand[] = [];
  readonly events: HostEvent[] = [];
  /** Command names the controller receives but never answers. */
  readonly silent = new Set<string>();
  now = 0;

  constructor(readonly host: HciHost) {}

  /** Feeds controller → host bytes. */
  send(bytes: Uint8Array): void {
    this.host.receive(bytes, this.now);
    this.drainEvents();
  }

  sendEvent(event: HciEvent): void {
    this.send(h4Event(event));
  }

  /** Runs the exchange until the host has nothing more to send; returns the ACL packets it sent. */
  pump(): Uint8Array[] {
    const acl: Uint8Array[] = [];
    for (let round = 0; round < 1000; round++) {
      const out = this.host.pollTransmit();
      this.drainEvents();
      if (!out) return acl;
      const p = decodeHciPacket(out);
      if (p.type === 'acl') {
        acl.push(out);
        continue;
      }
      if (p.type !== 'command') continue;
      this.commands.push(p.command);
      if (this.silent.has(p.command.name)) continue;
      const ev = answer(p.command);
      if (ev) this.send(h4Event(ev));
    }
    throw new Error('host never stopped sending');
  }

  drainEvents(): void {
    for (let e = this.host.pollEvent(); e; e = this.host.pollEvent()) this.events.push(e);
  }

  /** The events of one type seen so far. */
  of<T extends HostEvent['type']>(type: T): Extract<HostEvent, { type: T }>[] {
    return this.events.filter((e) => e.type === type) as Extract<HostEvent, { type: T }>[];
  }

  clear(): void {
    this.events.length = 0;
    this.commands.length = 0;
  }

  /** Starts the host and answers its init sequence. */
  static ready(host: HciHost): ScriptedController {
    const c = new ScriptedController(host);
    host.start(0);
    c.pump();
    return c;
  }
}

export function aclBytes(handle: number, pb: number, data: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(2, handle & 0xff, (handle >> 8) | (pb << 4), data.length & 0xff, data.length >> 8), data);
}
