import { BSON, type Document } from 'mongodb';

// The MongoDB wire protocol's message kinds that carry commands and their answers.
const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;
const HEADER_BYTES = 16;

/** One whole wire-protocol message: its header fields and the bytes of the whole message. */
export interface WireMessage {
  readonly requestId: number;
  readonly responseTo: number;
  readonly opCode: number;
  readonly bytes: Buffer;
}

/**
 * Cuts a TCP byte stream into whole wire-protocol messages: each starts with its length. Bytes
 * of a message not yet complete are kept for the next chunk.
 */
export class WireFramer {
  #pending: Buffer = Buffer.alloc(0);

  /** The messages `chunk` completes, in order. */
  push(chunk: Buffer): WireMessage[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const messages: WireMessage[] = [];
    while (this.#pending.length >= HEADER_BYTES) {
      const length = this.#pending.readInt32LE(0);
      if (this.#pending.length < length) break;
      const bytes = this.#pending.subarray(0, length);
      this.#pending = this.#pending.subarray(length);
      messages.push({
        requestId: bytes.readInt32LE(4),
        responseTo: bytes.readInt32LE(8),
        opCode: bytes.readInt32LE(12),
        bytes,
      });
    }
    return messages;
  }
}

const cstringEnd = (bytes: Buffer, from: number): number => bytes.indexOf(0, from);

/**
 * The command document a request carries (OP_MSG's body with its document sequences folded in, or
 * OP_QUERY's query), or the answer document of a reply; `undefined` for anything else (a
 * compressed message, say).
 */
export const documentOf = (message: WireMessage): Document | undefined => {
  const { bytes, opCode } = message;
  if (opCode === OP_MSG) {
    let body: Document | undefined;
    const sequences: Record<string, Document[]> = {};
    for (let at = HEADER_BYTES + 4; at < bytes.length; ) {
      const kind = bytes.readUInt8(at);
      const size = bytes.readInt32LE(at + 1);
      if (kind === 0) {
        body = BSON.deserialize(bytes.subarray(at + 1, at + 1 + size));
        at += 1 + size;
      } else if (kind === 1) {
        const nameEnd = cstringEnd(bytes, at + 5);
        const name = bytes.toString('utf8', at + 5, nameEnd);
        const documents: Document[] = [];
        for (let doc = nameEnd + 1; doc < at + 1 + size; doc += bytes.readInt32LE(doc)) {
          documents.push(BSON.deserialize(bytes.subarray(doc, doc + bytes.readInt32LE(doc))));
        }
        sequences[name] = documents;
        at += 1 + size;
      } else {
        break;
      }
    }
    return body === undefined ? undefined : { ...body, ...sequences };
  }
  if (opCode === OP_QUERY) {
    const nameEnd = cstringEnd(bytes, HEADER_BYTES + 4);
    const at = nameEnd + 1 + 8;
    return BSON.deserialize(bytes.subarray(at, at + bytes.readInt32LE(at)));
  }
  if (opCode === OP_REPLY) {
    const at = HEADER_BYTES + 20;
    return BSON.deserialize(bytes.subarray(at, at + bytes.readInt32LE(at)));
  }
  return undefined;
};

/** The command's name: its document's first key, as servers read it. */
export const commandName = (command: Document): string => Object.keys(command)[0] ?? '';

/**
 * A reply to `request` carrying `answer`, in the form the request expects: OP_MSG for OP_MSG,
 * OP_REPLY for a legacy OP_QUERY (the driver's first `hello` of a connection).
 */
export const replyTo = (request: WireMessage, answer: Document): Buffer => {
  const body = Buffer.from(BSON.serialize(answer));
  const header = Buffer.alloc(HEADER_BYTES);
  let rest: Buffer;
  if (request.opCode === OP_QUERY) {
    rest = Buffer.alloc(20);
    rest.writeInt32LE(1, 16); // numberReturned
    header.writeInt32LE(OP_REPLY, 12);
  } else {
    rest = Buffer.from([0, 0, 0, 0, 0]); // flagBits 0, then a section of kind 0
    header.writeInt32LE(OP_MSG, 12);
  }
  header.writeInt32LE(HEADER_BYTES + rest.length + body.length, 0);
  header.writeInt32LE((request.requestId + 0x40000000) | 0, 4);
  header.writeInt32LE(request.requestId, 8);
  return Buffer.concat([header, rest, body]);
};
