/** What a decoder needs of RFCOMM: its wire codecs, without the manager (see hci/decoding.ts). */
export * from './wire/index.js';
