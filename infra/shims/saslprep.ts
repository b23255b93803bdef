/**
 * SASLprep (RFC 4013) as the MongoDB driver uses it: to prepare a password for SCRAM-SHA-256.
 * `@mongodb-js/saslprep` carries the stringprep tables (Unicode 3.2) to reject prohibited,
 * unassigned and mixed-direction input, and bundles at 9 KB; this keeps the mapping, which is all
 * that decides the bytes of a password the library accepts: non-ASCII spaces (table C.1.2) become
 * a space, characters "commonly mapped to nothing" (B.1) go, then NFKC. For every input the library
 * accepts, the result is the same (`tests/infra/shims/saslprep.test.ts` checks every code point);
 * for one it rejects, the server rejects the resulting credentials instead.
 */
const TO_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g;
// biome-ignore lint/suspicious/noMisleadingCharacterClass: SASLprep removes each code point on its own, combining or not.
const TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g;

export const saslprep = (input: string): string =>
  input.replace(TO_SPACE, ' ').replace(TO_NOTHING, '').normalize('NFKC');

export default saslprep;
