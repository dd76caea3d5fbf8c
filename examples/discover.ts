// Device discovery, as PyBluez's inquiry.py: list nearby devices with their names and classes,
// then the services of each. On the virtual controller a second adapter is there to be found.
//   npx tsx examples/discover.ts [--transport hci0] [--duration 8]
import { Adapter, discoverDevices, findService } from 'bluetooth-classic-stack';

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const spec = option('--transport') ?? 'virtual';
const adapter = await Adapter.open(spec, { name: 'discover' });
const other = spec === 'virtual' ? await Adapter.open('virtual', { name: 'a virtual neighbour' }) : undefined;

console.log('performing inquiry...');
const devices = await discoverDevices({ adapter, duration: Number(option('--duration') ?? 2), lookupNames: true, lookupClass: true });
console.log(`found ${devices.length} device(s)`);
for (const d of devices) {
  console.log(`  ${d.address} - ${d.name ?? '(no name)'} (class 0x${(d.classOfDevice ?? 0).toString(16).padStart(6, '0')})`);
  for (const s of await findService({ address: d.address, adapter }).catch(() => [])) {
    console.log(`      ${s.name ?? '(unnamed)'}: ${s.protocol ?? '-'} ${s.port ?? ''} [${s.serviceClasses.join(', ')}]`);
  }
}
await other?.close();
await adapter.close();
