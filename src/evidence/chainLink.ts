// One link of a recording's hash chain: the rules both the writer and the verifier follow (docs/evidence.md).
//   link₀₋₁ = SHA-256("deskreel-chain-v1 " + sessionId)
//   linkₙ   = SHA-256(linkₙ₋₁ ‖ SHA-256(partₙ) ‖ u64be(offsetₙ) ‖ u64be(lengthₙ))
// and each link is signed: Ed25519 over "deskreel-chain-v1 <sessionId> <n> <linkₙ hex>". A part can then be
// neither changed, dropped, reordered nor moved without breaking every later link.

export const CHAIN_FORMAT = "deskreel-chain-v1";

/** One line of `evidence/<id>/chain.jsonl`. */
export interface ChainLine {
  /** The part's number, from 0. */
  part: number;
  /** Where the part starts in the recording object, and its length in bytes. */
  offset: number;
  length: number;
  /** SHA-256 of the part's bytes, hex. */
  sha256: string;
  /** The chain value after this part, hex. */
  link: string;
  /** Key id of the signing key. */
  key: string;
  /** Ed25519 signature of linkMessage(), base64. */
  sig: string;
}

export function sha256(data: Uint8Array | string): Uint8Array {
  return new Bun.CryptoHasher("sha256").update(data).digest() as Uint8Array;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

export function genesisLink(sessionId: string): Uint8Array {
  return sha256(`${CHAIN_FORMAT} ${sessionId}`);
}

export function nextLink(previous: Uint8Array, partHash: Uint8Array, offset: number, length: number): Uint8Array {
  const input = new Uint8Array(32 + 32 + 16);
  input.set(previous, 0);
  input.set(partHash, 32);
  const view = new DataView(input.buffer);
  view.setBigUint64(64, BigInt(offset));
  view.setBigUint64(72, BigInt(length));
  return sha256(input);
}

/** What each link's signature covers. */
export function linkMessage(sessionId: string, part: number, linkHex: string): string {
  return `${CHAIN_FORMAT} ${sessionId} ${part} ${linkHex}`;
}

/** Something that signs (the server's key); the chain only needs its id and signature. */
export interface LinkSigner {
  readonly keyId: string;
  sign(message: string): string;
}

/** Makes the chain's lines, part after part. */
export class ChainBuilder {
  private link: Uint8Array;
  private part = 0;

  constructor(
    private readonly sessionId: string,
    private readonly signer: LinkSigner,
  ) {
    this.link = genesisLink(sessionId);
  }

  add(data: Uint8Array, offset: number): ChainLine {
    const partHash = sha256(data);
    this.link = nextLink(this.link, partHash, offset, data.length);
    const linkHex = toHex(this.link);
    const line: ChainLine = {
      part: this.part, offset, length: data.length, sha256: toHex(partHash), link: linkHex, key: this.signer.keyId,
      sig: this.signer.sign(linkMessage(this.sessionId, this.part, linkHex)),
    };
    this.part++;
    return line;
  }
}

/** Where each protostream part of a well-formed recording starts and ends (an import's, read whole). */
export function partRanges(bytes: Uint8Array): Array<{ offset: number; length: number }> {
  const ranges: Array<{ offset: number; length: number }> = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  while (offset + 24 <= bytes.length) {
    const length = 24 + Number(view.getBigUint64(offset + 8)) + Number(view.getBigUint64(offset + 16));
    ranges.push({ offset, length: Math.min(length, bytes.length - offset) });
    offset += length;
  }
  if (offset < bytes.length) ranges.push({ offset, length: bytes.length - offset });
  return ranges;
}
