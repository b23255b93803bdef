// One cold-import sample, run by `npm run bench` in a fresh Node process per sample: the time to
// import one bundle, which is the module-initialisation part of a Lambda cold start. Plain
// JavaScript, so no TypeScript loader sits in the way of the import it times. Prints milliseconds.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const started = performance.now();
await import(pathToFileURL(process.argv[2]).href);
console.log(performance.now() - started);
// A bundle may leave handles (timers, clients) that would keep the process alive.
process.exit(0);
