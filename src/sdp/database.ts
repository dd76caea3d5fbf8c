/**
 * The local SDP database (Core v5.4 Vol 3 Part B §2.2-2.3). `add` gives each record a 32-bit
 * ServiceRecordHandle, counting up from 0x00010000 (0x00000000 is the SDP server's own record,
 * 0x00000001..0x0000FFFF are reserved) and never reused while the database lives, and stores it as
 * the record's ServiceRecordHandle attribute (0x0000). The server's own record (§5.2: class
 * ServiceDiscoveryServer 0x1000, VersionNumberList [0x0100], ServiceDatabaseState) sits at handle
 * 0 unless `serverRecord: false`. At most `maxRecords` records (default 256); beyond it `add`
 * throws `InvalidStateError`.
 */
import { ArgumentError, InvalidStateError, UUID16 } from '../core/index.js';
import { sequence, uint16, uint32, uuid16 } from './wire/build-data-element.js';
import { ATTRIBUTE_ID, SERVICE_DISCOVERY_SERVER_CLASS } from './wire/constants.js';
import type { DataElement } from './wire/data-element.js';
import type { ServiceRecord } from './service-record.js';

export const FIRST_RECORD_HANDLE = 0x00010000;
export const SERVER_RECORD_HANDLE = 0x00000000;

export interface SdpDatabaseOptions {
  readonly maxRecords?: number;
  readonly serverRecord?: boolean;
}

export class SdpDatabase {
  private readonly entries = new Map<number, ServiceRecord>();
  private nextHandle = FIRST_RECORD_HANDLE;
  private databaseState = 0;
  readonly maxRecords: number;
  private readonly serverRecord: boolean;

  constructor(opts: SdpDatabaseOptions = {}) {
    this.maxRecords = opts.maxRecords ?? 256;
    this.serverRecord = opts.serverRecord ?? true;
  }

  /** Stores a copy of `attributes` with its new ServiceRecordHandle; returns the handle. */
  add(attributes: ReadonlyMap<number, DataElement>): number {
    if (this.entries.size >= this.maxRecords) {
      throw new InvalidStateError(`the SDP database holds its maximum of ${this.maxRecords} records: remove one or raise maxRecords`);
    }
    if (this.nextHandle > 0xffffffff) throw new InvalidStateError('no SDP record handles left: create a new SdpDatabase');
    for (const id of attributes.keys()) {
      if (!Number.isInteger(id) || id < 0 || id > 0xffff) throw new ArgumentError(`attribute ID ${id} is not a 16-bit value`);
    }
    const handle = this.nextHandle++;
    const record = new Map(attributes);
    record.set(ATTRIBUTE_ID.ServiceRecordHandle, uint32(handle));
    this.entries.set(handle, record);
    this.databaseState = (this.databaseState + 1) >>> 0;
    return handle;
  }

  remove(handle: number): boolean {
    const removed = this.entries.delete(handle);
    if (removed) this.databaseState = (this.databaseState + 1) >>> 0;
    return removed;
  }

  get(handle: number): ServiceRecord | undefined {
    if (handle === SERVER_RECORD_HANDLE && this.serverRecord) return this.ownRecord();
    return this.entries.get(handle);
  }

  /** Every record with its handle, ascending (the server's own record first). */
  *records(): IterableIterator<[number, ServiceRecord]> {
    if (this.serverRecord) yield [SERVER_RECORD_HANDLE, this.ownRecord()];
    yield* this.entries.entries();
  }

  get size(): number {
    return this.entries.size;
  }

  private ownRecord(): ServiceRecord {
    return new Map<number, DataElement>([
      [ATTRIBUTE_ID.ServiceRecordHandle, uint32(SERVER_RECORD_HANDLE)],
      [ATTRIBUTE_ID.ServiceClassIDList, sequence(uuid16(SERVICE_DISCOVERY_SERVER_CLASS))],
      [ATTRIBUTE_ID.ProtocolDescriptorList, sequence(sequence(uuid16(UUID16.L2CAP), uint16(1)), sequence(uuid16(UUID16.SDP)))],
      [ATTRIBUTE_ID.VersionNumberList, sequence(uint16(0x0100))],
      [ATTRIBUTE_ID.ServiceDatabaseState, uint32(this.databaseState)],
    ]);
  }
}
