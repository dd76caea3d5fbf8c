/**
 * Queries about the remote side of a connection (Core v5.4 Vol 4 Part E §7.1.21–7.1.23, §7.1.14;
 * events §7.7.11, §7.7.12, §7.7.34, §7.7.29): Command Status, then the completion event read
 * straight from the peer controller (features, host feature page, version) on the same tick.
 */
import { HCI_STATUS } from '../../hci/index.js';
import { EVT } from './constants.js';
import type { VirtualController } from './controller.js';
import { le16, pack } from './h4.js';
import { FEATURES_PAGE_0, featurePage, MAX_FEATURE_PAGE, VERSION } from './local-info.js';

function peerOf(c: VirtualController, handle: number): VirtualController | undefined {
  const conn = c.connections.get(handle);
  return conn && c.link.find(conn.peer);
}

export function readRemoteFeatures(c: VirtualController, op: number, handle: number): void {
  if (!peerOf(c, handle)) return c.status(HCI_STATUS.UNKNOWN_CONNECTION_IDENTIFIER, op);
  c.status(HCI_STATUS.SUCCESS, op);
  c.event(EVT.READ_REMOTE_SUPPORTED_FEATURES_COMPLETE, pack(HCI_STATUS.SUCCESS, le16(handle), FEATURES_PAGE_0));
}

export function readRemoteExtendedFeatures(c: VirtualController, op: number, handle: number, page: number): void {
  const peer = peerOf(c, handle);
  if (!peer) return c.status(HCI_STATUS.UNKNOWN_CONNECTION_IDENTIFIER, op);
  if (page > MAX_FEATURE_PAGE) return c.status(HCI_STATUS.INVALID_HCI_COMMAND_PARAMETERS, op);
  c.status(HCI_STATUS.SUCCESS, op);
  c.event(EVT.READ_REMOTE_EXTENDED_FEATURES_COMPLETE, pack(HCI_STATUS.SUCCESS, le16(handle), page, MAX_FEATURE_PAGE, featurePage(peer.settings, page)));
}

export function readRemoteVersion(c: VirtualController, op: number, handle: number): void {
  if (!peerOf(c, handle)) return c.status(HCI_STATUS.UNKNOWN_CONNECTION_IDENTIFIER, op);
  c.status(HCI_STATUS.SUCCESS, op);
  c.event(
    EVT.READ_REMOTE_VERSION_INFORMATION_COMPLETE,
    pack(HCI_STATUS.SUCCESS, le16(handle), VERSION.lmpVersion, le16(VERSION.manufacturer), le16(VERSION.lmpSubversion)),
  );
}

export function changePacketType(c: VirtualController, op: number, handle: number, packetType: number): void {
  if (!c.connections.get(handle)) return c.status(HCI_STATUS.UNKNOWN_CONNECTION_IDENTIFIER, op);
  c.status(HCI_STATUS.SUCCESS, op);
  c.event(EVT.CONNECTION_PACKET_TYPE_CHANGED, pack(HCI_STATUS.SUCCESS, le16(handle), le16(packetType)));
}
