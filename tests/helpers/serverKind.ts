import type { Db } from 'mongodb';

/**
 * Which server answers: MongoDB, or FerretDB (the test stand-in), whose weaker guarantees some
 * tests state separately. FerretDB adds `ferretdbVersion` to `buildInfo`.
 */
export const serverKind = async (db: Db): Promise<'mongodb' | 'ferretdb'> => {
  const info = await db.admin().command({ buildInfo: 1 });
  return typeof info.ferretdbVersion === 'string' ? 'ferretdb' : 'mongodb';
};
