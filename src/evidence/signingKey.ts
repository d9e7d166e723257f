// The server's Ed25519 signing key: recordings' hash chains and manifests are signed with it, and anyone with
// the public key can check them. Made in the data dir on first start (PKCS#8 PEM, mode 0600) unless
// DESKREEL_SIGNING_KEY gives one (the PEM itself, or the path of a PEM file).
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PRIVATE_FILE_MODE } from "../privateFiles.ts";
import { errorMessage } from "../errorMessage.ts";

export const SIGNING_KEY_FILE = "signing-key.pem";

/** A public key as served and written into manifests. */
export interface PublicKeyInfo {
  algorithm: "Ed25519";
  /** First 16 hex digits of SHA-256 over the raw 32-byte public key: names the key in manifests. */
  keyId: string;
  /** The raw 32-byte public key, base64. */
  publicKey: string;
  /** The same key as an SPKI PEM (what `openssl pkeyutl -verify` takes). */
  pem: string;
}

export class SigningKey {
  readonly info: PublicKeyInfo;

  private constructor(
    private readonly privateKey: KeyObject,
    /** Where it came from, for the start line: a file, or the environment. */
    readonly source: string,
  ) {
    this.info = publicKeyInfo(createPublicKey(privateKey));
  }

  get keyId(): string {
    return this.info.keyId;
  }

  /** Ed25519 signature of `message`, base64. */
  sign(message: Uint8Array | string): string {
    return sign(null, typeof message === "string" ? Buffer.from(message, "utf8") : message, this.privateKey).toString("base64");
  }

  /** DESKREEL_SIGNING_KEY (PEM text or a file's path), else `<dataDir>/signing-key.pem`, made on first use. */
  static load(dataDir: string, configured: string | null): { key: SigningKey; created: boolean } {
    if (configured !== null) {
      const pem = configured.includes("-----BEGIN") ? configured : readConfiguredFile(configured);
      return { key: new SigningKey(parsePrivate(pem, "DESKREEL_SIGNING_KEY"), configured.includes("-----BEGIN") ? "DESKREEL_SIGNING_KEY" : configured), created: false };
    }
    const path = join(dataDir, SIGNING_KEY_FILE);
    if (existsSync(path)) return { key: new SigningKey(parsePrivate(readFileSync(path, "utf8"), path), path), created: false };
    const { privateKey } = generateKeyPairSync("ed25519");
    // wx: never replace a key another process wrote meanwhile; the manifests it signed would stop verifying.
    writeFileSync(path, privateKey.export({ format: "pem", type: "pkcs8" }), { mode: PRIVATE_FILE_MODE, flag: "wx" });
    return { key: new SigningKey(privateKey, path), created: true };
  }

  /** The configured or stored key if there is one, never making one (the CLI reading a data dir). */
  static existing(dataDir: string, configured: string | null): SigningKey | null {
    if (configured !== null) return SigningKey.load(dataDir, configured).key;
    return existsSync(join(dataDir, SIGNING_KEY_FILE)) ? SigningKey.load(dataDir, null).key : null;
  }

  /** A key that lives in memory only (tools and tests). */
  static generate(): SigningKey {
    return new SigningKey(generateKeyPairSync("ed25519").privateKey, "generated");
  }
}

function readConfiguredFile(path: string): string {
  if (!existsSync(path)) throw new Error(`DESKREEL_SIGNING_KEY: ${path} does not exist (give a PEM private key or the path of one)`);
  return readFileSync(path, "utf8");
}

function parsePrivate(pem: string, where: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new Error(`${where}: not a PEM private key (${errorMessage(err)})`);
  }
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`${where}: an Ed25519 key is needed, this is ${key.asymmetricKeyType}`);
  return key;
}

function rawPublic(key: KeyObject): Buffer {
  // An Ed25519 SPKI DER is a fixed 12-byte header and the 32 raw bytes.
  const der = key.export({ format: "der", type: "spki" });
  return der.subarray(der.length - 32);
}

export function publicKeyInfo(key: KeyObject): PublicKeyInfo {
  const raw = rawPublic(key);
  return {
    algorithm: "Ed25519",
    keyId: createHash("sha256").update(raw).digest("hex").slice(0, 16),
    publicKey: raw.toString("base64"),
    pem: key.export({ format: "pem", type: "spki" }).toString(),
  };
}

/** A public key from its raw base64 form (as in a manifest) or an SPKI PEM. */
export function parsePublicKey(text: string): KeyObject {
  if (text.includes("-----BEGIN")) return createPublicKey(text);
  const raw = Buffer.from(text, "base64");
  if (raw.length !== 32) throw new Error("an Ed25519 public key is 32 bytes");
  const header = Buffer.from("302a300506032b6570032100", "hex");
  return createPublicKey({ key: Buffer.concat([header, raw]), format: "der", type: "spki" });
}

/** Whether `signature` (base64) is `key`'s Ed25519 signature of `message`. */
export function signatureValid(key: KeyObject, message: Uint8Array | string, signature: string): boolean {
  try {
    return verify(null, typeof message === "string" ? Buffer.from(message, "utf8") : message, key, Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
}
