import { MongoClient } from 'mongodb';

/**
 * The floor of the consumer's bundle size and import time: a handler that only loads the MongoDB
 * driver. `npm run bench` bundles it with the consumer's own esbuild options, so whatever those
 * options save (or cost) the driver is in both figures.
 */
export const handler = async (): Promise<string> =>
  // Referencing the client keeps the driver from being tree-shaken away.
  MongoClient.name;
