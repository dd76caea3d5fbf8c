/**
 * The fixed PSMs the stack serves itself (Bluetooth Assigned Numbers, "Protocol and Service
 * Multiplexer"; Core v5.4 Vol 3 Part A §4.2). Every other PSM is a raw L2CAP channel.
 */
export const PSM_SDP = 0x0001;
export const PSM_RFCOMM = 0x0003;
