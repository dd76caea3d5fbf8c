/** A SecurityManager with a manual clock and helpers to feed events and drain its outputs. */
import { commandCompleteEvent, type HciCommand, type HciEvent } from '../../src/hci/index.js';
import { MemoryKeyStore, SecurityManager, type SecurityEvent, type SecurityManagerOptions } from '../../src/security/index.js';

export const PEER = '00:11:22:33:44:55';
export const HANDLE = 0x000b;
export const KEY = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
export const KEY2 = Uint8Array.from({ length: 16 }, (_, i) => 0x10 + i);

export class Harness {
  now = 0;
  readonly store: MemoryKeyStore;
  readonly sm: SecurityManager;
  readonly commands: HciCommand[] = [];
  readonly events: SecurityEvent[] = [];

  constructor(options: Partial<SecurityManagerOptions> = {}) {
    this.store = (options.keyStore as MemoryKeyStore | undefined) ?? new MemoryKeyStore();
    this.sm = new SecurityManager({ ioCapability: 'DisplayYesNo', bonding: true, mitm: false, ...options, keyStore: this.store });
  }

  /** Feeds an event and returns the commands and events it produced. */
  feed(ev: HciEvent): { commands: HciCommand[]; events: SecurityEvent[] } {
    this.sm.handleEvent(ev, this.now);
    return this.drain();
  }

  drain(): { commands: HciCommand[]; events: SecurityEvent[] } {
    const commands: HciCommand[] = [];
    const events: SecurityEvent[] = [];
    for (let c = this.sm.pollCommand(); c; c = this.sm.pollCommand()) commands.push(c);
    for (let e = this.sm.pollEvent(); e; e = this.sm.pollEvent()) events.push(e);
    this.commands.push(...commands);
    this.events.push(...events);
    return { commands, events };
  }

  /** The controller's Command Complete to the manager's Read Encryption Key Size `cmd`: Status, Connection_Handle, Key_Size. */
  answerKeySize(cmd: HciCommand, status: number, keySize: number): { commands: HciCommand[]; events: SecurityEvent[] } {
    if (cmd.name !== 'Read Encryption Key Size') throw new Error(`${cmd.name} is not Read Encryption Key Size`);
    this.sm.handleCommandStatus(cmd, status, this.now, commandCompleteEvent('Read Encryption Key Size', { status, handle: cmd.handle, keySize }));
    return this.drain();
  }

  /** Advances the manual clock to `t`, firing due timers. */
  advance(t: number): { commands: HciCommand[]; events: SecurityEvent[] } {
    this.now = t;
    const due = this.sm.pollTimeout();
    if (due !== undefined && due <= t) this.sm.handleTimeout(t);
    return this.drain();
  }

  names(commands: HciCommand[] = this.commands): string[] {
    return commands.map((c) => c.name);
  }
  types(events: SecurityEvent[] = this.events): string[] {
    return events.map((e) => e.type);
  }
  event<T extends SecurityEvent['type']>(type: T): Extract<SecurityEvent, { type: T }> {
    const e = this.events.find((x) => x.type === type);
    if (!e) throw new Error(`no ${type} event among ${this.types().join(', ')}`);
    return e as Extract<SecurityEvent, { type: T }>;
  }
}

/** Supported_Commands (64 octets) with every bit set, except Read Encryption Key Size (octet 20 bit 4) when `readEncryptionKeySize` is false. */
export function supportedCommands(readEncryptionKeySize: boolean): Uint8Array {
  const bits = new Uint8Array(64).fill(0xff);
  if (!readEncryptionKeySize) bits[20] &= ~0x10;
  return bits;
}

/** Event builders, with the field names of the HCI event table. */
export const ev = {
  linkKeyRequest: (bdaddr = PEER): HciEvent => ({ name: 'Link Key Request', bdaddr }),
  linkKeyNotification: (keyType: number, linkKey = KEY, bdaddr = PEER): HciEvent => ({ name: 'Link Key Notification', bdaddr, linkKey, keyType }),
  ioCapRequest: (bdaddr = PEER): HciEvent => ({ name: 'IO Capability Request', bdaddr }),
  ioCapResponse: (ioCapability: number, authenticationRequirements: number, bdaddr = PEER): HciEvent => ({
    name: 'IO Capability Response',
    bdaddr,
    ioCapability,
    oobDataPresent: 0,
    authenticationRequirements,
  }),
  confirm: (numericValue: number, bdaddr = PEER): HciEvent => ({ name: 'User Confirmation Request', bdaddr, numericValue }),
  passkeyRequest: (bdaddr = PEER): HciEvent => ({ name: 'User Passkey Request', bdaddr }),
  passkeyNotification: (passkey: number, bdaddr = PEER): HciEvent => ({ name: 'User Passkey Notification', bdaddr, passkey }),
  pinRequest: (bdaddr = PEER): HciEvent => ({ name: 'PIN Code Request', bdaddr }),
  oobRequest: (bdaddr = PEER): HciEvent => ({ name: 'Remote OOB Data Request', bdaddr }),
  sspComplete: (status: number, bdaddr = PEER): HciEvent => ({ name: 'Simple Pairing Complete', status, bdaddr }),
  authComplete: (status: number, handle = HANDLE): HciEvent => ({ name: 'Authentication Complete', status, handle }),
  encChange: (status: number, encryptionEnabled: number, handle = HANDLE): HciEvent => ({ name: 'Encryption Change', status, handle, encryptionEnabled }),
};

/** The IO capability exchange of a pairing the peer started (its response, then our reply): what must come before a prompt. */
export function ioCapabilityExchange(ioCapability: number, bdaddr = PEER): HciEvent[] {
  return [ev.ioCapResponse(ioCapability, 0x04, bdaddr), ev.ioCapRequest(bdaddr)];
}
