import type { Command } from '../main.js';
import { bridge } from './bridge.js';
import { connect } from './connect.js';
import { decode } from './decode.js';
import { demo } from './demo.js';
import { listen } from './listen.js';
import { receive } from './receive.js';
import { scan } from './scan.js';
import { sdp } from './sdp.js';
import { send } from './send.js';

export const COMMANDS: Command[] = [demo, scan, sdp, listen, connect, send, receive, bridge, decode];
