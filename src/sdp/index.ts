/** The public surface of the SDP layer (docs/sdp.md). */
export * from './wire/constants.js';
export * from './wire/data-element.js';
export * as de from './wire/build-data-element.js';
export * from './wire/pdu.js';
export * from './service-record.js';
export * from './attribute-list.js';
export { SdpDatabase, type SdpDatabaseOptions, FIRST_RECORD_HANDLE, SERVER_RECORD_HANDLE } from './database.js';
export { SdpServer, type SdpServerOptions, type SdpServerStats, type ChannelKey } from './server.js';
export { SdpClient, ALL_ATTRIBUTES, type SdpClientOptions, type SdpClientEvent, type SdpClientFailure, type SdpClientStats } from './client.js';
export * from './records.js';
export * from './parse-services.js';
export * from './names.js';
