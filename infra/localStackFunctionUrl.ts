/**
 * LocalStack answers Function URLs at `http://<url-id>.lambda-url.<region>.localhost.localstack.cloud:<port>/`
 * (`*.localhost.localstack.cloud` resolves to 127.0.0.1). An URL in AWS's form
 * (`https://<url-id>.lambda-url.<region>.on.aws/`) is mapped onto it, using the protocol and port
 * of LocalStack's endpoint; any other URL is returned as it is.
 */
export const localStackFunctionUrl = (url: string, endpoint: string): string => {
  const aws = /^([a-z0-9]+)\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(new URL(url).hostname);
  if (!aws) return url;
  const { protocol, port } = new URL(endpoint);
  const edgePort = port || (protocol === 'https:' ? '443' : '80');
  return `${protocol}//${aws[1]}.lambda-url.${aws[2]}.localhost.localstack.cloud:${edgePort}/`;
};
