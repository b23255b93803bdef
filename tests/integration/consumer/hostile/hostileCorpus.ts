import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** Where the corpus is kept. */
export const hostileCorpusPath = resolve(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'fixtures',
  'hostile-corpus.json',
);

/** The stored fields a `stored` case expects; amounts in millionths are decimal strings. */
export type ExpectedDocument = Readonly<Record<string, unknown>>;

/** What must happen to one hostile body. */
export type CorpusExpectation =
  | {
      readonly outcome: 'stored';
      /** The contract fields as they must be stored (`status` is always `PROCESSED`). */
      readonly document: ExpectedDocument;
      /** For bodies built with many items: how many lines are stored. */
      readonly itemCount?: number;
      /** `given`: the document is the one an earlier delivery (the case's `given`) wrote. */
      readonly writtenBy?: 'given';
    }
  | {
      readonly outcome: 'rejected';
      readonly reason: 'invalid-order' | 'order-conflict';
      /** JSON path of the contract issue ('' for the body as a whole). */
      readonly path?: string;
      /** A part of that message. */
      readonly message?: string;
    };

/** A recipe for a body too large or too deep to keep literally. */
export type BodyRecipe =
  /** A string of `char` sized so the whole body has `bytes` UTF-8 bytes (rounded up to a character). */
  | { readonly kind: 'pad'; readonly bytes: number; readonly char: string; readonly event: object }
  /** A string of `count` times `char`. */
  | {
      readonly kind: 'string';
      readonly count: number;
      readonly char: string;
      readonly event: object;
    }
  /** An object nested `depth` levels deep, with reserved and operator keys at the bottom. */
  | { readonly kind: 'nest'; readonly depth: number; readonly event: object }
  /** An array of `count` valid line items. */
  | { readonly kind: 'items'; readonly count: number; readonly event: object };

/** One case as kept in the fixture file. */
export interface CorpusCase {
  readonly id: string;
  /** Which item of the hostile-input list it covers. */
  readonly covers: string;
  /** Why the expected outcome is the right one. */
  readonly reason: string;
  readonly body?: string;
  readonly event?: object;
  readonly build?: BodyRecipe;
  /** Orders delivered (and stored) before this case. */
  readonly given?: readonly object[];
  readonly expect: CorpusExpectation;
}

/** The fixture file. */
export interface HostileCorpus {
  /** A value placed in several bodies that must never appear in a log line. */
  readonly canary: string;
  readonly cases: readonly CorpusCase[];
}

/** Marks where a recipe's generated JSON goes in its event. */
const PLACEHOLDER = '"@@BUILD@@"';

const splice = (event: object, json: string): string => {
  const template = JSON.stringify(event);
  if (!template.includes(PLACEHOLDER)) throw new Error(`recipe event lacks ${PLACEHOLDER}`);
  return template.replace(PLACEHOLDER, () => json);
};

// Built as text: JSON.stringify recurses and would overflow the stack long before JSON.parse does.
const nested = (depth: number): string =>
  `${'{"a":'.repeat(depth)}{"_id":"x","status":"FAILED","$set":{"x":1}}${'}'.repeat(depth)}`;

const items = (count: number): string =>
  `[${Array.from({ length: count }, (_, i) => `{"item_id":"P-${i}","quantity":1,"price":1}`).join(',')}]`;

const padded = (event: object, bytes: number, char: string): string => {
  const empty = Buffer.byteLength(splice(event, '""'));
  const perChar = Buffer.byteLength(char);
  // Rounded up to a whole character: a multi-byte filler may overshoot by less than one character.
  const count = Math.ceil((bytes - empty) / perChar);
  if (count < 0) {
    throw new Error(`cannot pad to ${bytes} bytes with ${JSON.stringify(char)}`);
  }
  return splice(event, `"${char.repeat(count)}"`);
};

/** The exact SQS message body of a case. */
export const bodyOf = (testCase: CorpusCase): string => {
  if (testCase.body !== undefined) return testCase.body;
  if (testCase.event !== undefined) return JSON.stringify(testCase.event);
  const recipe = testCase.build;
  if (recipe === undefined) throw new Error(`case ${testCase.id} has no body`);
  switch (recipe.kind) {
    case 'pad':
      return padded(recipe.event, recipe.bytes, recipe.char);
    case 'string':
      return splice(recipe.event, `"${recipe.char.repeat(recipe.count)}"`);
    case 'nest':
      return splice(recipe.event, nested(recipe.depth));
    case 'items':
      return splice(recipe.event, items(recipe.count));
  }
};

/** Reads the corpus from `tests/fixtures/hostile-corpus.json`. */
export const loadHostileCorpus = (): HostileCorpus =>
  JSON.parse(readFileSync(hostileCorpusPath, 'utf8')) as HostileCorpus;
