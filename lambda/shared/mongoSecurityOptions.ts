import type { MongoClientOptions } from 'mongodb';
import type { MongoSecurity } from './config.js';

/**
 * The client options of {@link MongoSecurity}, added to the connection string's by both Lambdas'
 * clients: with a CA file, TLS on and that CA trusted (the driver reads the file when it connects);
 * with `aws-iam`, `MONGODB-AWS`, whose credentials the driver takes from the AWS SDK's default
 * chain (in Lambda, the execution role's, from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
 * `AWS_SESSION_TOKEN`).
 */
export const mongoSecurityOptions = (security: MongoSecurity | undefined): MongoClientOptions => ({
  ...(security?.tlsCaFile && { tls: true, tlsCAFile: security.tlsCaFile }),
  ...(security?.auth === 'aws-iam' && { authMechanism: 'MONGODB-AWS' }),
});
