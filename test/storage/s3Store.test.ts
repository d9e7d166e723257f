import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readdir, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobNotFoundError } from "../../src/storage/errors.ts";
import { S3Store, type S3StoreConfig } from "../../src/storage/s3Store.ts";
import { S3AppendHandle } from "../../src/storage/s3Append.ts";
import { MOTO_INSTALL_HINT, type S3TestServer, createTestBucket, motoServerPath, startS3Server } from "./s3server.ts";

const MiB = 1024 * 1024;
const available = motoServerPath() !== null;
if (!available) console.warn(`S3Store tests skipped: moto_server is not installed. Install it with: ${MOTO_INSTALL_HINT}`);

let server: S3TestServer;
let spoolRoot: string;
let config: S3StoreConfig;
let store: S3Store;

function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

describe.skipIf(!available)("S3Store against moto_server", () => {
  beforeAll(async () => {
    server = await startS3Server();
    await createTestBucket(server, "recordings");
    spoolRoot = await mkdtemp(join(tmpdir(), "deskreel-s3spool-"));
    config = {
      endpoint: server.endpoint,
      bucket: "recordings",
      region: server.region,
      accessKeyId: server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
      keyPrefix: "site-a/",
      spoolDir: spoolRoot,
    };
    store = new S3Store(config);
  }, 30_000);

  afterAll(async () => {
    await server?.stop();
    if (spoolRoot) await rm(spoolRoot, { recursive: true, force: true });
  });

  test("put, get, ranges, stream, size, list and delete; keys carry the prefix in the bucket", async () => {
    const data = pattern(300_000, 1);
    await store.put("recordings/one.tar", data);
    await store.put("recordings/two.tar", pattern(10, 2));
    await store.put("video/one/video.mp4", pattern(20, 3));
    expect(await store.get("recordings/one.tar")).toEqual(data);
    expect(await store.size("recordings/one.tar")).toBe(300_000);
    expect(await store.getRange("recordings/one.tar", 1000, 2000)).toEqual(data.slice(1000, 2000));
    expect(await store.getRange("recordings/one.tar", 299_990, 1_000_000)).toEqual(data.slice(299_990));
    expect((await store.getRange("recordings/one.tar", 400_000, 500_000)).length).toBe(0);
    expect(await readAll(store.stream("recordings/one.tar", 5, 100_005))).toEqual(data.slice(5, 100_005));
    expect(await readAll(store.stream("recordings/one.tar", 299_000))).toEqual(data.slice(299_000));
    expect(await store.list("recordings/")).toEqual(["recordings/one.tar", "recordings/two.tar"]);
    expect(await store.list("")).toEqual(["recordings/one.tar", "recordings/two.tar", "video/one/video.mp4"]);

    const raw = new Bun.S3Client({ ...config, keyPrefix: undefined } as Bun.S3Options);
    expect(await raw.exists("site-a/recordings/one.tar")).toBe(true);
    expect(await raw.exists("recordings/one.tar")).toBe(false);

    expect(await store.get("recordings/none.tar")).toBeNull();
    expect(await store.size("recordings/none.tar")).toBeNull();
    await expect(store.getRange("recordings/none.tar", 0, 1)).rejects.toThrow(BlobNotFoundError);
    await expect(readAll(store.stream("recordings/none.tar"))).rejects.toThrow(BlobNotFoundError);
    await store.delete("recordings/two.tar");
    await store.delete("recordings/two.tar");
    expect(await store.list("recordings/")).toEqual(["recordings/one.tar"]);
    expect(() => store.objectKey("../escape")).toThrow(/invalid blob key/);
  });

  test("a live object uploads 5 MiB parts while it grows, is readable meanwhile, and completes on close", async () => {
    const key = "recordings/live-session.tar";
    const handle = await store.openAppend(key);
    expect(handle).toBeInstanceOf(S3AppendHandle);
    const live = handle as S3AppendHandle;
    const data = pattern(12 * MiB + 12345, 7);
    const chunk = 512 * 1024;
    let uploadedWhileOpen = 0;
    for (let offset = 0; offset < data.length; offset += chunk) {
      await handle.append(data.subarray(offset, offset + chunk));
      if (offset === 6 * MiB) {
        // Past one part: it goes up now, not at the end.
        await waitFor("the first part", async () => live.uploadedBytes >= 5 * MiB);
        const uploads = await store.abandonedUploads();
        const mine = uploads.find((u) => u.key === "site-a/" + key);
        expect(mine).toBeDefined();
        if (mine) expect(await store.requests.listParts("site-a/" + key, mine.uploadId)).toEqual([1]);
        uploadedWhileOpen = live.uploadedBytes;
        // Readers see everything appended so far, served from the spool.
        const soFar = offset + chunk;
        expect(await store.size(key)).toBe(soFar);
        expect(await store.getRange(key, soFar - 100, soFar + 100)).toEqual(data.slice(soFar - 100, soFar));
        expect(await readAll(store.stream(key, 5 * MiB - 10, 5 * MiB + 10))).toEqual(data.slice(5 * MiB - 10, 5 * MiB + 10));
        expect(await store.list("recordings/live")).toEqual([key]);
      }
    }
    expect(uploadedWhileOpen).toBeGreaterThanOrEqual(5 * MiB);
    expect(handle.size).toBe(data.length);
    expect((await store.get(key))?.length).toBe(data.length);
    await handle.close();

    expect(await store.size(key)).toBe(data.length);
    const whole = await store.get(key);
    expect(whole?.length).toBe(data.length);
    expect(whole).toEqual(data);
    // A range across the part boundary comes back intact from S3.
    expect(await store.getRange(key, 5 * MiB - 3, 5 * MiB + 3)).toEqual(data.slice(5 * MiB - 3, 5 * MiB + 3));
    expect((await store.abandonedUploads()).length).toBe(0);
    expect(await readdir(spoolRoot, { recursive: true }).then((names) => names.filter((n) => n.endsWith(".tar")))).toEqual([]);
    await expect(handle.append(pattern(1, 1))).rejects.toThrow(/live-session\.tar.*closed/);
  }, 30_000);

  test("a live object smaller than one part is written with one PUT on close", async () => {
    const key = "recordings/short.tar";
    const handle = await store.openAppend(key);
    await handle.append(pattern(1000, 1));
    await handle.append(pattern(500, 2));
    expect(await store.size(key)).toBe(1500);
    expect(await new Bun.S3Client(config).exists("site-a/" + key)).toBe(false);
    await handle.close();
    const got = await store.get(key);
    expect(got?.subarray(0, 1000)).toEqual(pattern(1000, 1));
    expect(got?.subarray(1000)).toEqual(pattern(500, 2));
    await expect(store.openAppend(key)).rejects.toThrow(/short\.tar.*already exists/);
  });

  test("abort after parts were uploaded leaves nothing: no object, no open upload, no spool", async () => {
    const key = "recordings/aborted.tar";
    const handle = (await store.openAppend(key)) as S3AppendHandle;
    await handle.append(pattern(6 * MiB, 3));
    await waitFor("the first part", async () => handle.uploadedBytes > 0);
    expect((await store.abandonedUploads()).map((u) => u.key)).toEqual(["site-a/" + key]);
    await handle.abort();
    expect((await store.abandonedUploads()).length).toBe(0);
    expect(await store.size(key)).toBeNull();
    expect(await store.list("recordings/aborted")).toEqual([]);
    expect((await readdir(spoolRoot, { recursive: true })).filter((n) => n.includes("aborted"))).toEqual([]);
  }, 20_000);

  test("a spool left by a crashed process is uploaded by recoverSpools", async () => {
    const leftover = pattern(70_000, 9);
    await mkdir(join(spoolRoot, "recordings"), { recursive: true });
    await writeFile(join(spoolRoot, "recordings", "crashed.tar"), leftover);
    await expect(store.openAppend("recordings/crashed.tar")).rejects.toThrow(/spool file from an earlier run/);
    expect(await store.recoverSpools()).toEqual(["recordings/crashed.tar"]);
    expect(await store.get("recordings/crashed.tar")).toEqual(leftover);
    expect(await store.recoverSpools()).toEqual([]);
  });

  test("requests are signed correctly (server checking SigV4), and a wrong secret is refused", async () => {
    const accepted = await server.enforceSignatures();
    try {
      const wrong = new S3Store({ ...config, spoolDir: join(spoolRoot, "wrong"), accessKeyId: accepted.accessKeyId, secretAccessKey: "not-the-secret" });
      await expect(wrong.put("recordings/denied.tar", pattern(10, 1))).rejects.toThrow(/recordings\/denied\.tar.*signature/i);
      await expect(wrong.requests.createMultipartUpload("site-a/recordings/x.tar")).rejects.toThrow(/HTTP 403.*SignatureDoesNotMatch/s);

      const signed = new S3Store({ ...config, ...accepted, spoolDir: join(spoolRoot, "signed") });

      const data = pattern(6 * MiB, 5);
      const handle = await signed.openAppend("recordings/signed.tar");
      await handle.append(data);
      await handle.close();
      expect(await signed.getRange("recordings/signed.tar", 5 * MiB - 1, 5 * MiB + 1)).toEqual(data.slice(5 * MiB - 1, 5 * MiB + 1));
    } finally {
      await server.relaxSignatures();
    }
  }, 20_000);

  test("part size below the S3 minimum is refused", () => {
    expect(() => new S3Store({ ...config, partSize: 1024 })).toThrow(/below the S3 minimum/);
  });
});
