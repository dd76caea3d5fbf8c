/**
 * Builds small pcap, pcapng and PacketLogger files byte by byte from the format descriptions, in
 * either byte order, so the readers can be tested on layouts the real captures do not have.
 */
export type Endian = 'big' | 'little';

export class Bytes {
  private readonly parts: number[] = [];
  constructor(readonly endian: Endian) {}
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    const b = [v & 0xff, (v >>> 8) & 0xff];
    this.parts.push(...(this.endian === 'big' ? b.reverse() : b));
    return this;
  }
  u32(v: number): this {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    this.parts.push(...(this.endian === 'big' ? b.reverse() : b));
    return this;
  }
  raw(bytes: ArrayLike<number>): this {
    for (let i = 0; i < bytes.length; i++) this.parts.push(bytes[i]);
    return this;
  }
  pad4(): this {
    while (this.parts.length % 4 !== 0) this.parts.push(0);
    return this;
  }
  get length(): number {
    return this.parts.length;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export interface PcapPacket {
  readonly seconds: number;
  readonly fraction: number;
  readonly data: Uint8Array;
  readonly originalLength?: number;
}

export function pcapFile(endian: Endian, linktype: number, packets: readonly PcapPacket[], nanoseconds = false): Uint8Array {
  const b = new Bytes(endian).u32(nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(linktype);
  for (const p of packets) b.u32(p.seconds).u32(p.fraction).u32(p.data.length).u32(p.originalLength ?? p.data.length).raw(p.data);
  return b.done();
}

/** A 4-byte big-endian direction word (LINKTYPE 201) before an H4 packet. */
export function withPhdr(received: boolean, h4: ArrayLike<number>): Uint8Array {
  return Uint8Array.from([0, 0, 0, received ? 1 : 0, ...Array.from(h4)]);
}

function block(endian: Endian, type: number, body: Uint8Array): Uint8Array {
  const length = 12 + ((body.length + 3) & ~3);
  return new Bytes(endian).u32(type).u32(length).raw(body).pad4().u32(length).done();
}

export function pcapngSectionHeader(endian: Endian): Uint8Array {
  return block(endian, 0x0a0d0d0a, new Bytes(endian).u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff).done());
}

export function pcapngInterface(endian: Endian, linktype: number, options: { tsresol?: number; snaplen?: number } = {}): Uint8Array {
  const b = new Bytes(endian).u16(linktype).u16(0).u32(options.snaplen ?? 0);
  if (options.tsresol !== undefined) b.u16(9).u16(1).u8(options.tsresol).pad4().u16(0).u16(0);
  return block(endian, 0x00000001, b.done());
}

export function pcapngEnhancedPacket(endian: Endian, iface: number, timestamp: bigint, data: Uint8Array, originalLength = data.length): Uint8Array {
  const body = new Bytes(endian)
    .u32(iface)
    .u32(Number(timestamp >> 32n))
    .u32(Number(timestamp & 0xffffffffn))
    .u32(data.length)
    .u32(originalLength)
    .raw(data)
    .pad4()
    .done();
  return block(endian, 0x00000006, body);
}

export function pcapngSimplePacket(endian: Endian, data: Uint8Array): Uint8Array {
  return block(endian, 0x00000003, new Bytes(endian).u32(data.length).raw(data).done());
}

export function pcapngBlock(endian: Endian, type: number, body: Uint8Array): Uint8Array {
  return block(endian, type, body);
}

export function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface PklgRecord {
  readonly type: number;
  readonly seconds: number;
  readonly microseconds: number;
  readonly payload: Uint8Array;
}

export function pklgFile(endian: Endian, records: readonly PklgRecord[]): Uint8Array {
  const b = new Bytes(endian);
  for (const r of records) b.u32(9 + r.payload.length).u32(r.seconds).u32(r.microseconds).u8(r.type).raw(r.payload);
  return b.done();
}
