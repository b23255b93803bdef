/** How the event source mapping reads a handler's response to an SQS batch. */
export type BatchVerdict =
  /** Delete every record except those listed (possibly none). */
  | { readonly kind: 'success'; readonly failedMessageIds: ReadonlySet<string> }
  /** The response breaks the contract: the whole batch counts as failed, nothing is deleted. */
  | { readonly kind: 'invalid-response'; readonly reason: string };

const success = (failed: Iterable<string> = []): BatchVerdict => ({
  kind: 'success',
  failedMessageIds: new Set(failed),
});
const invalid = (reason: string): BatchVerdict => ({ kind: 'invalid-response', reason });

/**
 * Applies Lambda's rules for `ReportBatchItemFailures` responses:
 *
 * - complete success: `null`/`undefined`, `{}`, a null or empty `batchItemFailures`;
 * - partial failure: `batchItemFailures` listing message ids of the batch;
 * - complete failure (nothing deleted): anything else, i.e. a response that is not an object,
 *   `batchItemFailures` that is not an array, an entry that is not an object, an `itemIdentifier`
 *   that is missing, null, not a string, empty, or not the id of a record in the batch.
 *
 * @param response what the handler resolved with
 * @param messageIds the ids of the records the batch held
 */
export const interpretBatchResponse = (
  response: unknown,
  messageIds: ReadonlySet<string>,
): BatchVerdict => {
  if (response === null || response === undefined) return success();
  if (typeof response !== 'object' || Array.isArray(response)) {
    return invalid(`response is ${Array.isArray(response) ? 'an array' : typeof response}`);
  }
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === null || failures === undefined) return success();
  if (!Array.isArray(failures)) return invalid('batchItemFailures is not an array');
  const failed: string[] = [];
  for (const [index, entry] of failures.entries()) {
    if (typeof entry !== 'object' || entry === null) {
      return invalid(`batchItemFailures[${index}] is not an object`);
    }
    const id = (entry as { itemIdentifier?: unknown }).itemIdentifier;
    if (typeof id !== 'string') {
      return invalid(`batchItemFailures[${index}].itemIdentifier is missing or not a string`);
    }
    if (id === '') return invalid(`batchItemFailures[${index}].itemIdentifier is empty`);
    if (!messageIds.has(id)) {
      return invalid(`batchItemFailures[${index}].itemIdentifier is not a message of the batch`);
    }
    failed.push(id);
  }
  return success(failed);
};
