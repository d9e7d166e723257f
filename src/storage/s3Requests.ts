// The S3 calls that Bun.S3Client does not expose: explicit multipart uploads (create, upload part,
// complete, abort, list) and bucket creation. Bun's own writer() does multipart too, but it neither
// tells when a part is stored nor aborts on request (end(error) completes the upload), and a recorder
// needs both.
import { createHash } from "node:crypto";
import { BlobStoreError } from "./errors.ts";
import { type S3Credentials, signS3Request, uriEncode } from "./sigv4.ts";
import { errorMessage } from "../errorMessage.ts";

export interface S3Location {
  /** e.g. "http://127.0.0.1:9000"; defaults to AWS (https://s3.<region>.amazonaws.com). */
  endpoint?: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Bucket as a host name (bucket.endpoint) instead of a path segment. Default false (path style). */
  virtualHostedStyle?: boolean;
}

export interface UploadedPart {
  partNumber: number;
  etag: string;
}

const RETRIES = 3;

function xmlValue(xml: string, tag: string): string | null {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return match ? xmlUnescape(match[1]) : null;
}

function xmlUnescape(value: string): string {
  return value.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function xmlEscape(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export class S3Requests {
  readonly #credentials: S3Credentials;

  constructor(private readonly location: S3Location) {
    this.#credentials = {
      accessKeyId: location.accessKeyId,
      secretAccessKey: location.secretAccessKey,
      sessionToken: location.sessionToken,
      region: location.region,
    };
  }

  /** URL of an object (or of the bucket when objectKey is ""), every path segment fully encoded. */
  url(objectKey: string, query: Record<string, string> = {}): URL {
    const base = new URL(this.location.endpoint ?? `https://s3.${this.location.region}.amazonaws.com`);
    const encodedKey = objectKey.split("/").map(uriEncode).join("/");
    if (this.location.virtualHostedStyle) {
      base.hostname = `${this.location.bucket}.${base.hostname}`;
      base.pathname = `/${encodedKey}`;
    } else {
      base.pathname = objectKey === "" ? `/${uriEncode(this.location.bucket)}` : `/${uriEncode(this.location.bucket)}/${encodedKey}`;
    }
    for (const [k, v] of Object.entries(query)) base.searchParams.set(k, v);
    return base;
  }

  async send(
    method: "GET" | "PUT" | "POST" | "DELETE",
    objectKey: string,
    query: Record<string, string>,
    what: string,
    body?: Uint8Array,
    extraHeaders?: Record<string, string>,
  ): Promise<Response> {
    const url = this.url(objectKey, query);
    let lastError: unknown = null;
    for (let attempt = 1; attempt <= RETRIES; attempt++) {
      try {
        const headers = signS3Request({ method, url, body, headers: extraHeaders }, this.#credentials);
        // Bodies here are never SharedArrayBuffer views.
        const response = await fetch(url, { method, headers, body: body as Uint8Array<ArrayBuffer> | undefined });
        // S3 may answer 200 with an <Error> body for CompleteMultipartUpload; 5xx and 429 are worth retrying.
        if (response.status >= 500 || response.status === 429) {
          lastError = new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`);
        } else if (!response.ok) {
          throw new BlobStoreError(objectKey, `S3 ${what} of "${objectKey}" failed: HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`);
        } else {
          return response;
        }
      } catch (err) {
        if (err instanceof BlobStoreError) throw err;
        lastError = err;
      }
      if (attempt < RETRIES) await Bun.sleep(200 * attempt);
    }
    const detail = errorMessage(lastError);
    throw new BlobStoreError(objectKey, `S3 ${what} of "${objectKey}" failed after ${RETRIES} attempts: ${detail}`, { cause: lastError });
  }

  async createBucket(): Promise<void> {
    await this.send("PUT", "", {}, "create bucket");
  }

  async createMultipartUpload(objectKey: string): Promise<string> {
    const response = await this.send("POST", objectKey, { uploads: "" }, "create multipart upload");
    const uploadId = xmlValue(await response.text(), "UploadId");
    if (!uploadId) throw new BlobStoreError(objectKey, `S3 create multipart upload of "${objectKey}" returned no UploadId`);
    return uploadId;
  }

  async uploadPart(objectKey: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<UploadedPart> {
    const response = await this.send("PUT", objectKey, { partNumber: String(partNumber), uploadId }, `upload of part ${partNumber}`, body);
    const etag = response.headers.get("etag");
    await response.arrayBuffer();
    if (!etag) throw new BlobStoreError(objectKey, `S3 upload of part ${partNumber} of "${objectKey}" returned no ETag`);
    return { partNumber, etag };
  }

  async completeMultipartUpload(objectKey: string, uploadId: string, parts: UploadedPart[]): Promise<void> {
    const body = new TextEncoder().encode(
      `<CompleteMultipartUpload>${parts
        .map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${xmlEscape(p.etag)}</ETag></Part>`)
        .join("")}</CompleteMultipartUpload>`,
    );
    const response = await this.send("POST", objectKey, { uploadId }, "complete multipart upload", body);
    const text = await response.text();
    if (text.includes("<Error>")) {
      throw new BlobStoreError(objectKey, `S3 complete multipart upload of "${objectKey}" failed: ${xmlValue(text, "Code") ?? ""} ${xmlValue(text, "Message") ?? ""}`);
    }
  }

  async abortMultipartUpload(objectKey: string, uploadId: string): Promise<void> {
    await this.send("DELETE", objectKey, { uploadId }, "abort multipart upload");
  }

  /** Multipart uploads still open under `prefix` (object keys with their upload ids). */
  async listMultipartUploads(prefix: string): Promise<{ key: string; uploadId: string }[]> {
    const response = await this.send("GET", "", { uploads: "", prefix }, "list multipart uploads");
    const xml = await response.text();
    const uploads: { key: string; uploadId: string }[] = [];
    for (const block of xml.match(/<Upload>[\s\S]*?<\/Upload>/g) ?? []) {
      const key = xmlValue(block, "Key");
      const uploadId = xmlValue(block, "UploadId");
      if (key !== null && uploadId !== null) uploads.push({ key, uploadId });
    }
    return uploads;
  }

  /** Part numbers already stored for an open multipart upload. */
  async listParts(objectKey: string, uploadId: string): Promise<number[]> {
    return (await this.listPartDetails(objectKey, uploadId)).map((p) => p.partNumber);
  }

  /** The parts stored for an open multipart upload, with their ETags and sizes, by part number. */
  async listPartDetails(objectKey: string, uploadId: string): Promise<(UploadedPart & { size: number })[]> {
    const parts: (UploadedPart & { size: number })[] = [];
    let marker = "0";
    for (;;) {
      const response = await this.send("GET", objectKey, { uploadId, "part-number-marker": marker }, "list parts");
      const xml = await response.text();
      for (const block of xml.match(/<Part>[\s\S]*?<\/Part>/g) ?? []) {
        const partNumber = Number(xmlValue(block, "PartNumber"));
        const etag = xmlValue(block, "ETag");
        const size = Number(xmlValue(block, "Size"));
        if (Number.isInteger(partNumber) && etag !== null && Number.isFinite(size)) parts.push({ partNumber, etag, size });
      }
      const next = xmlValue(xml, "NextPartNumberMarker");
      if (xmlValue(xml, "IsTruncated") !== "true" || next === null || next === marker) break;
      marker = next;
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  /** A whole-object PUT (small objects: the pieces of a live object). */
  async putObject(objectKey: string, body: Uint8Array): Promise<void> {
    const response = await this.send("PUT", objectKey, {}, "put", body);
    await response.arrayBuffer();
  }

  /** Deletes up to any number of objects, 1000 per request (S3's DeleteObjects); missing ones are not an error. */
  async deleteObjects(objectKeys: string[]): Promise<void> {
    for (let i = 0; i < objectKeys.length; i += 1000) {
      const batch = objectKeys.slice(i, i + 1000);
      const body = new TextEncoder().encode(
        `<Delete><Quiet>true</Quiet>${batch.map((k) => `<Object><Key>${xmlEscape(k)}</Key></Object>`).join("")}</Delete>`,
      );
      // DeleteObjects requires a body checksum header.
      const md5 = createHash("md5").update(body).digest("base64");
      const response = await this.send("POST", "", { delete: "" }, "delete objects", body, { "content-md5": md5 });
      const text = await response.text();
      if (text.includes("<Error>")) {
        throw new BlobStoreError(batch[0], `S3 delete of ${batch.length} objects failed: ${xmlValue(text, "Code") ?? ""} ${xmlValue(text, "Message") ?? ""}`);
      }
    }
  }
}
