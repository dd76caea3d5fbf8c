/**
 * The code that binds the sans-I/O core to Node: the Driver that runs a Stack over a Transport with
 * real time, and capture files on disk (recorders, the bounded-memory reader, the chart page). The
 * folders above it in docs/layers.md's table touch no I/O; this one, src/transport, src/socket,
 * src/conformance and src/cli do.
 */
export * from './driver.js';
export * from './capture-files.js';
export * from './read-capture-file.js';
export * from './chart-file.js';
