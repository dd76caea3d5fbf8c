/** What a decoder needs of L2CAP: its wire codecs, without the manager (see hci/decoding.ts). */
export * from './wire/index.js';
