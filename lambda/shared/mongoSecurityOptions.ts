import type { MongoClientOptions } from 'mongodb';
import type { MongoSecurity } from './config.js';

/**
 * The client options of {@link MongoSecurity}, which both Lambdas' clients put over the connection
 * string's (the variables are set on purpose; the config refuses a URI that contradicts them):
 * with a CA file, TLS on and that CA trusted (the driver reads the file when it connects); with
 * `aws-iam`, `MONGODB-AWS`, whose credentials the driver takes from the AWS SDK's default chain (in
 * Lambda, the execution role's: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`).
 */
export const mongoSecurityOptions = (security: MongoSecurity | undefined): MongoClientOptions => ({
  ...(security?.tlsCaFile && { tls: true, tlsCAFile: security.tlsCaFile }),
  ...(security?.auth === 'aws-iam' && { authMechanism: 'MONGODB-AWS' }),
});
