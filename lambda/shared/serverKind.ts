import type { Db } from 'mongodb';

/**
 * Which server answers: MongoDB, or FerretDB (v1 is the test stand-in), whose weaker guarantees
 * the consumer warns about and some tests state separately. FerretDB adds `ferretdbVersion` to
 * `buildInfo`, which any user may run.
 */
export const serverKind = async (db: Db): Promise<'mongodb' | 'ferretdb'> => {
  const info = await db.command({ buildInfo: 1 });
  return typeof info.ferretdbVersion === 'string' ? 'ferretdb' : 'mongodb';
};
