/**
 * The composed stack's public surface (docs/layers.md): `Stack` joins HCI, L2CAP, RFCOMM, SDP and
 * security behind one sans-I/O handle/poll interface; its events and options. What runs it on Node
 * with real time (the Driver) is in src/node.
 */
export * from './stack.js';
export * from './events.js';
