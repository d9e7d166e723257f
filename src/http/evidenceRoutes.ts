// Evidence routes: the server's public signing key, a recording's signed manifest, and its verification.
import { Elysia } from "elysia";
import { BusyError } from "../boundedWork.ts";
import { RecordingIdParams, errors } from "../api/common.ts";
import { SigningKeyBody, toApiVerify, VerifyBody } from "../api/evidence.ts";
import type { Services } from "../services.ts";
import { blobKeys } from "../storage/sessionKeys.ts";
import { authGuard, requirePrincipal } from "./authRoutes.ts";
import { blobResponse } from "./blobResponse.ts";
import { busy, HttpError } from "./errors.ts";
import { binary, requireReader, visibleRecording } from "./recordingRoutes.ts";

/** Seconds a client is asked to wait when every verification slot is taken. */
const VERIFY_RETRY_SECONDS = 2;

export function evidenceRoutes(services: Services) {
  const { store, evidence, accessLog } = services;
  const tags = ["evidence"];
  return new Elysia()
    .use(authGuard(services.auth))
    .get("/v1/signing-key", (ctx) => {
      requirePrincipal(ctx);
      const { algorithm, keyId, publicKey, pem } = evidence.key.info;
      return { algorithm, key_id: keyId, public_key: publicKey, pem };
    }, {
      response: { 200: SigningKeyBody, ...errors(401) },
      detail: { tags, summary: "The server's public signing key", description: "Recordings' hash chains and manifests are signed with its private half (Ed25519)." },
    })
    .get("/v1/recordings/:id/verify", async (ctx) => {
      const principal = requireReader(ctx);
      const row = await visibleRecording(services, principal, ctx.params.id);
      const report = await evidence.verify(row).catch((err: unknown) => {
        throw err instanceof BusyError ? busy(err.message, VERIFY_RETRY_SECONDS) : err;
      });
      return toApiVerify(report);
    }, {
      params: RecordingIdParams,
      response: { 200: VerifyBody, ...errors(401, 403, 404, 503) },
      detail: {
        tags, summary: "Verify a recording's signature, hash chain and stored objects",
        description: "Names what does not match: which object and, for the recording, which part. A live recording verifies up to its last stored part. Every stored byte is read and hashed: two verifications run at a time and a few wait; beyond that the answer is 503 with Retry-After. Requests for a recording already being verified share that verification.",
      },
    })
    .get("/v1/recordings/:id/manifest.json", async (ctx) => {
      const principal = requireReader(ctx);
      const row = await visibleRecording(services, principal, ctx.params.id);
      const key = blobKeys(row.id).manifest;
      const size = await store.size(key);
      const response = await blobResponse(store, key, ctx.request, {
        contentType: "application/json", etag: `"manifest-${row.id}-${size}"`, downloadName: `${row.id}.manifest.json`, immutable: false,
      });
      if (!response) throw new HttpError(404, `recording ${row.id} has no manifest${row.status === "live" ? " yet: it is live" : ""}`);
      accessLog.record(principal, row.id, "download_manifest");
      return response;
    }, {
      params: RecordingIdParams,
      response: { 200: binary("application/json", "the signed manifest as stored (docs/evidence.md)"), ...errors(401, 403, 404) },
      detail: { tags, summary: "The recording's signed manifest" },
    });
}
