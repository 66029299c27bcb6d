/**
 * The exact bytes that go on the wire. A string is signed as its UTF-8 encoding, so pass the
 * rendered body you send, never a re-serialised copy of it.
 */
export type SignableBody = string | Uint8Array;
