import type { Command } from '../main.js';
import { bridge } from './bridge.js';
import { conformance } from './conformance.js';
import { connect } from './connect.js';
import { decode } from './decode.js';
import { demo } from './demo.js';
import { doctor } from './doctor.js';
import { keys } from './keys.js';
import { listen } from './listen.js';
import { pair } from './pair.js';
import { receive } from './receive.js';
import { scan } from './scan.js';
import { sdp } from './sdp.js';
import { send } from './send.js';
import { unpair } from './unpair.js';

export const COMMANDS: Command[] = [demo, scan, sdp, listen, connect, send, receive, bridge, pair, unpair, keys, decode, doctor, conformance];
