/**
 * `btc doctor`: as a subprocess on this machine (the real bindings, the real kernel), and its
 * judgement on machines described by stand-in probes (a sysfs directory, a status file, bindings).
 */
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { describeReport, examine, usableAdapter, type DoctorProbes } from '../../src/cli/commands/doctor.js';
import { PREBUILT_BINDING, SOURCE_BINDING } from '../../src/transport/hci-socket-binding.js';
import { kernelHasBluetooth } from '../../src/transport/user-channel.js';
import { killAll, runCli } from '../support/cli.js';
import { btvirtMissing, btvirtSocket } from '../support/env.js';

afterEach(() => killAll());

describe('btc doctor on this machine', () => {
  it('says what is there and exits 1 when no real adapter can be opened', async () => {
    const btvirt = btvirtMissing() ? '/nonexistent/bt-server-bredr' : btvirtSocket();
    const r = await runCli(['doctor', '--btvirt', btvirt]);
    expect(r.stderr).toBe('');
    if (process.getuid?.() === 0) expect(r.stdout).toMatch(/^capabilities {6}root (\(CAP_NET_ADMIN\)|, but without CAP_NET_ADMIN)/m);
    else expect(r.stdout).toMatch(/^capabilities {6}(CAP_NET_ADMIN|no CAP_NET_ADMIN: run as root or `sudo setcap)/m);
    expect(r.stdout).toContain(`bindings          ${PREBUILT_BINDING}: loads; ${SOURCE_BINDING}: `);
    expect(r.stdout).toMatch(/^USB driver {8}loads; known dongles: none plugged in$/m);
    if (btvirtMissing()) expect(r.stdout).toContain(`btvirt            ${btvirt} is absent (apt-get install bluez-test-tools; btvirt -s -l0)`);
    else expect(r.stdout).toContain(`btvirt            ${btvirt} is there: --transport h4:unix:${btvirt}`);
    if (kernelHasBluetooth()) {
      expect(r.stdout).toMatch(/^kernel Bluetooth  yes: an AF_BLUETOOTH socket opens$/m);
    } else {
      expect(r.stdout).toMatch(/^kernel Bluetooth  no: socket\(AF_BLUETOOTH\) failed: Address family not supported by protocol \(Linux: sudo modprobe bluetooth/m);
      expect(r.stdout).toMatch(/^adapters {10}none in \/sys\/class\/bluetooth$/m);
      expect(r.stdout).toMatch(/^result {12}no real adapter can be opened here; --transport virtual always works/m);
      expect(r.code).toBe(1);
    }
  });

  it('--json gives the same report as one object', async () => {
    const r = await runCli(['doctor', '--json', '--btvirt', '/nonexistent/sock']);
    const report = JSON.parse(r.stdout);
    expect(report.bindings[0]).toEqual({ packageName: PREBUILT_BINDING });
    expect(report.btvirt).toEqual({ path: '/nonexistent/sock', present: false });
    expect(report.afBluetooth).toBe(kernelHasBluetooth());
    if (!kernelHasBluetooth()) expect(report.usable).toBeNull();
  });
});

describe('the doctor on described machines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'btc-doctor-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const sys = join(dir, 'bluetooth');
  mkdirSync(join(sys, 'hci0'), { recursive: true });
  mkdirSync(join(sys, 'hci1'));
  const capable = join(dir, 'status-capable');
  writeFileSync(capable, 'Name:\tnode\nCapEff:\t0000000000001000\n');
  const plain = join(dir, 'status-plain');
  writeFileSync(plain, 'Name:\tnode\nCapEff:\t0000000000000000\n');

  /** A kernel with hci0 up (BlueZ) and hci1 down; `dongles` for the USB driver. */
  const importer = (dongles: { idVendor: number; idProduct: number }[]) => async (name: string) => {
    if (name !== PREBUILT_BINDING) throw new Error(`Cannot find package '${name}'`);
    class Native extends EventEmitter {
      getDeviceList() {
        return [
          { devId: 0, devUp: true },
          { devId: 1, devUp: false },
        ];
      }
    }
    class Usb extends EventEmitter {
      getDeviceList() {
        return dongles;
      }
    }
    return { loadDriver: (driver: string) => (driver === 'native' ? Native : Usb) };
  };
  const probes = (over: Partial<DoctorProbes>): DoctorProbes => ({
    platform: 'linux',
    importer: importer([]),
    sysClassBluetooth: sys,
    procStatus: plain,
    uid: 1000,
    btvirtPath: join(dir, 'no-btvirt'),
    ...over,
  });

  it('a down adapter with CAP_NET_ADMIN is usable; the up one is named as BlueZ\'s', async () => {
    const report = await examine(probes({ procStatus: capable }));
    expect(report.adapters).toEqual([
      { name: 'hci0', up: true },
      { name: 'hci1', up: false },
    ]);
    expect(usableAdapter(report)).toBe('hci1');
    const lines = describeReport(report);
    expect(lines).toContain('adapters          hci0 UP (BlueZ has it: power it off for the user channel), hci1 down (ready for the user channel)');
    expect(lines).toContain('capabilities      CAP_NET_ADMIN');
    expect(lines.at(-1)).toBe('result            a real adapter can be opened: --transport hci1');
  });

  it('without CAP_NET_ADMIN nothing is usable, and it says how to grant it', async () => {
    const report = await examine(probes({}));
    expect(usableAdapter(report)).toBeUndefined();
    expect(describeReport(report)).toContain(
      'capabilities      no CAP_NET_ADMIN: run as root or `sudo setcap cap_net_admin,cap_net_raw+eip $(readlink -f $(which node))`',
    );
  });

  it('root in a container that dropped CAP_NET_ADMIN is told so', async () => {
    const report = await examine(probes({ uid: 0 }));
    expect(report.capNetAdmin).toBe(false);
    expect(usableAdapter(report)).toBeUndefined();
    expect(describeReport(report)).toContain('capabilities      root, but without CAP_NET_ADMIN (a container that dropped it: run it with --cap-add NET_ADMIN)');
  });

  it('a USB dongle the driver knows is usable as usb:0', async () => {
    const report = await examine(probes({ importer: importer([{ idVendor: 0x0a12, idProduct: 0x0001 }]) }));
    expect(report.usbDongles).toEqual(['0a12:0001']);
    expect(usableAdapter(report)).toBe('usb:0');
  });

  it('with no binding the AF_BLUETOOTH attempt is not made, and it says so', async () => {
    const report = await examine(probes({ importer: async (name) => Promise.reject(new Error(`Cannot find package '${name}'`)) }));
    expect(report.afBluetooth).toBeUndefined();
    const lines = describeReport(report);
    expect(lines[0]).toBe('kernel Bluetooth  not tried (no binding loads); /sys/class/bluetooth exists');
    expect(lines).toContain(`bindings          ${PREBUILT_BINDING}: does not load (Cannot find package '${PREBUILT_BINDING}'); ${SOURCE_BINDING}: does not load (Cannot find package '${SOURCE_BINDING}')`);
  });
});
