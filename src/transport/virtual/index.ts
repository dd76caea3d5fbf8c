export { VirtualController, type VirtualControllerOptions, type VirtualControllerStats, type ControllerSettings } from './controller.js';
export { VirtualLink, type VirtualLinkOptions, type VirtualLinkStats } from './link.js';
export { VirtualTransport } from './virtual-transport.js';
export { createVirtualPair, defaultVirtualLink, openVirtualTransport, type VirtualPair, type VirtualPairOptions } from './pair.js';
export { INQUIRY_MODE } from './constants.js';
export { encodeCommand, encodeAcl, HostPacketFramer } from './h4.js';
