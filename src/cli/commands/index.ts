/**
 * The commands of `btc`: each one's name and one-line summary, for `btc --help`, and how to load
 * its module. A command's module is imported only when that command runs, so `btc decode` does not
 * load the socket stack, the transports or the conformance suite (docs/performance.md, "Decoding
 * captures": start-up CPU and resident memory). Each summary is the one in the module's spec
 * (test/cli/command-registry.test.ts checks that they agree).
 */
import type { Command } from '../main.js';

export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'demo', summary: 'two virtual controllers: SPP echo service, discovery, SDP, RFCOMM "Hello, world!"', load: async () => (await import('./demo.js')).demo },
  { name: 'scan', summary: 'find devices nearby (inquiry), with their names and classes', load: async () => (await import('./scan.js')).scan },
  { name: 'sdp', summary: "browse a device's services (SDP): names, RFCOMM channels, L2CAP PSMs, profiles", load: async () => (await import('./sdp.js')).sdp },
  { name: 'listen', summary: 'RFCOMM server advertised as a serial port: echo, or stdin/stdout with --stdio', load: async () => (await import('./listen.js')).listen },
  { name: 'connect', summary: 'RFCOMM terminal to a device (stdin/stdout when piped); finds the channel by SDP if omitted', load: async () => (await import('./connect.js')).connect },
  { name: 'send', summary: 'send a file over RFCOMM, with a progress bar and throughput', load: async () => (await import('./send.js')).send },
  { name: 'receive', summary: 'receive one RFCOMM transfer into a file, with progress and throughput', load: async () => (await import('./receive.js')).receive },
  { name: 'bridge', summary: 'bridge RFCOMM and TCP: a TCP port to a device channel, or (--listen) an RFCOMM server to a TCP address', load: async () => (await import('./bridge.js')).bridge },
  { name: 'pair', summary: 'pair and bond with a device without opening a channel; the link key goes to --keys', load: async () => (await import('./pair.js')).pair },
  { name: 'unpair', summary: 'forget a bonded device: remove its link key from the key file', load: async () => (await import('./unpair.js')).unpair },
  { name: 'keys', summary: 'list the bonded devices in a key file (no adapter opens)', load: async () => (await import('./keys.js')).keys },
  { name: 'decode', summary: 'decode a btsnoop / pcap / pcapng / PacketLogger capture, one line per packet per layer', load: async () => {
      // Before decode's modules load: loading them grows V8's young generation (v8-decode-settings.ts).
      (await import('../v8-decode-settings.js')).applyDecodeV8Settings();
      return (await import('./decode.js')).decode;
    } },
  { name: 'doctor', summary: 'say what this machine has for a real adapter: kernel Bluetooth, adapters, capabilities, bindings, btvirt', load: async () => (await import('./doctor.js')).doctor },
  { name: 'conformance', summary: 'test another stack: send exact (and wrong) frames, check the answers the specification requires', load: async () => (await import('./conformance.js')).conformance },
];
