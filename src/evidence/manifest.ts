// A finished recording's signed manifest (evidence/<id>/manifest.json, documented in docs/evidence.md):
// the SHA-256 of every stored object, the session's metadata and the head of its hash chain, signed with the
// server's Ed25519 key over the manifest's canonical JSON.
import type { RecordingRow } from "../catalog/types.ts";
import type { PublicKeyInfo } from "./signingKey.ts";
import { errorMessage } from "../errorMessage.ts";

export const MANIFEST_FORMAT = "deskreel-manifest-v1";

/** The stored objects a manifest covers, by name (each present only if the object exists). */
export const OBJECT_NAMES = ["recording", "chain", "video", "thumbnail"] as const;
export type ObjectName = (typeof OBJECT_NAMES)[number];

export interface ManifestObject {
  key: string;
  bytes: number;
  sha256: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  sessionId: string;
  /** Imported from a file (signed at import), not recorded by this server. */
  imported: boolean;
  signedAt: string;
  session: {
    kind: string; user: string; login: string; desktopName: string; desktopAddr: string; cluster: string;
    start: string; end: string | null; durationMs: number; status: string; participants: string[];
    lostEvents: number; error: string | null;
  };
  objects: Partial<Record<ObjectName, ManifestObject>>;
  /** The hash chain over the recording's parts: how many, and the last link. */
  chain: { parts: number; head: string } | null;
  key: Pick<PublicKeyInfo, "algorithm" | "keyId" | "publicKey">;
}

export interface SignedManifest {
  manifest: Manifest;
  /** Ed25519 signature of canonicalJson(manifest), base64. */
  signature: string;
}

/** JSON with object keys sorted at every level and no spaces: the bytes the signature covers. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export function sessionOf(row: RecordingRow): Manifest["session"] {
  const lost = row.meta.lostEvents;
  return {
    kind: row.kind, user: row.user, login: row.login, desktopName: row.desktopName, desktopAddr: row.desktopAddr,
    cluster: row.cluster, start: new Date(row.startMs).toISOString(), end: row.endMs === null ? null : new Date(row.endMs).toISOString(),
    durationMs: row.durationMs, status: row.status, participants: row.participants,
    lostEvents: typeof lost === "number" ? lost : 0, error: row.error,
  };
}

/** Reads a stored manifest; throws with a sentence when it is not one. */
export function parseManifest(bytes: Uint8Array): SignedManifest {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (err) {
    throw new Error(`the manifest is not JSON (${errorMessage(err)})`);
  }
  const v = value as Partial<SignedManifest> | null;
  const m = v?.manifest as Partial<Manifest> | undefined;
  if (typeof v?.signature !== "string" || typeof m !== "object" || m === null) throw new Error("the manifest has no manifest/signature fields");
  if (m.format !== MANIFEST_FORMAT) throw new Error(`the manifest's format is ${JSON.stringify(m.format)}, expected ${MANIFEST_FORMAT}`);
  if (typeof m.sessionId !== "string" || typeof m.objects !== "object" || m.objects === null || typeof m.key?.publicKey !== "string") {
    throw new Error("the manifest lacks its session id, objects or key");
  }
  return v as SignedManifest;
}
