/**
 * Waits until the MongoDB at MONGO_URI answers as a writable primary (60 s at most); exits non-zero otherwise.
 * Used by .ci/run after starting FerretDB, and by the GitHub workflow for a replica set. Prints the host only: the URI may hold credentials.
 */
import { mongoHostOf } from '../local/cli/mongoHostOf.js';
import { waitForMongo } from '../local/runtime/embeddedMongo.js';

const uri = process.env.MONGO_URI ?? '';
const host = mongoHostOf(uri);
if (!(await waitForMongo(uri, 60_000))) {
  console.error(`No MongoDB answers at ${host} (MONGO_URI) as a writable primary after 60 s`);
  process.exit(1);
}
console.log(`MongoDB answers at ${host}`);
