export { Adapter, type AdapterOptions } from './adapter.js';
export { BluetoothSocket, RFCOMM, L2CAP, PORT_ANY, type Protocol, type SocketAddress, type SocketOptions } from './bluetooth-socket.js';
export { SocketError, ERRNO, isPeerClose, type ErrnoName, type CloseReason } from './errors.js';
export { discoverDevices, lookupName, type DiscoverOptions, type DiscoveredDevice } from './discovery.js';
export {
  findService,
  advertiseService,
  stopAdvertising,
  SERIAL_PORT_CLASS,
  SERIAL_PORT_PROFILE,
  PUBLIC_BROWSE_GROUP,
  type FoundService,
  type FindServiceOptions,
  type AdvertiseOptions,
} from './services.js';
export { openDefaultAdapter, setDefaultAdapter, defaultAdapter } from './default-adapter.js';
export { type PairingOptions } from './pairing-hooks.js';
export type { LocalSignals, PeerSignals } from './modem-signals.js';
export { JsonFileKeyStore } from './key-store-file.js';
export type { SecurityLevel, IoCapability, KeyStore } from '../security/index.js';
