/** What `btc decode` needs of the Node folder: the bounded-memory capture reader, without the Driver (see hci/decoding.ts). */
export { CaptureFile } from './read-capture-file.js';
