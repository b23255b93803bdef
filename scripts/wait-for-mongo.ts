/**
 * Waits until the MongoDB at MONGO_URI answers a ping (20 s at most); exits non-zero otherwise.
 * Used by .ci/run after starting FerretDB. Prints the host only: the URI may hold credentials.
 */
import { mongoHostOf } from '../local/cli/mongoHostOf.js';
import { waitForMongo } from '../local/runtime/embeddedMongo.js';

const uri = process.env.MONGO_URI ?? '';
const host = mongoHostOf(uri);
if (!(await waitForMongo(uri, 20_000))) {
  console.error(`No MongoDB answers at ${host} (MONGO_URI) after 20 s`);
  process.exit(1);
}
console.log(`MongoDB answers at ${host}`);
