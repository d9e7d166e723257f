// Bounded loss on S3: a live object's bytes reach the bucket as small pieces within the piece interval,
// and a node that never saw the writer's disk rebuilds the object from the parts and pieces.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { S3AppendHandle } from "../../src/storage/s3Append.ts";
import { S3Store, type S3StoreConfig } from "../../src/storage/s3Store.ts";
import { MOTO_INSTALL_HINT, type S3TestServer, createTestBucket, motoServerPath, startS3Server } from "./s3server.ts";

const MiB = 1024 * 1024;
const INTERVAL_MS = 150;
const available = motoServerPath() !== null;
if (!available) console.warn(`S3 piece tests skipped: moto_server is not installed. Install it with: ${MOTO_INSTALL_HINT}`);

let server: S3TestServer;
const roots: string[] = [];
let base: Omit<S3StoreConfig, "spoolDir">;

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

/** A store on its own spool dir: a second store is another node, which never sees the first one's disk. */
async function nodeStore(): Promise<S3Store> {
  const dir = await mkdtemp(join(tmpdir(), "deskreel-pieces-"));
  roots.push(dir);
  return new S3Store({ ...base, spoolDir: dir });
}

async function pieceKeys(store: S3Store, key: string): Promise<string[]> {
  return (await store.listObjects(`p/.pieces/${key}/`)).map((o) => o.key);
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(25);
  }
}

describe.skipIf(!available)("S3 pieces against moto_server", () => {
  beforeAll(async () => {
    server = await startS3Server();
    await createTestBucket(server, "pieces");
    base = {
      endpoint: server.endpoint, bucket: "pieces", region: server.region,
      accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey,
      keyPrefix: "p/", pieceIntervalMs: INTERVAL_MS,
    };
  }, 30_000);

  afterAll(async () => {
    await server?.stop();
    for (const dir of roots) await rm(dir, { recursive: true, force: true });
  });

  test("appends reach the bucket as pieces within the interval; another node rebuilds the object from them", async () => {
    const writer = await nodeStore();
    const key = "recordings/small.tar";
    const handle = (await writer.openAppend(key)) as S3AppendHandle;
    const first = pattern(40_000, 1);
    const second = pattern(25_000, 2);
    await handle.append(first);
    const appendedAt = performance.now();
    await waitFor("the first piece", async () => (await pieceKeys(writer, key)).length === 1);
    // The piece is written one interval after the bytes, plus one PUT.
    expect(performance.now() - appendedAt).toBeLessThan(INTERVAL_MS + 2000);
    await handle.append(second);
    await waitFor("the second piece", async () => (await pieceKeys(writer, key)).length === 2);
    // The object itself is not in the bucket yet: only the writer could serve it.
    const other = await nodeStore();
    expect(await other.size(key)).toBeNull();

    // The writer "dies with its disk": the other node rebuilds the object from the pieces alone.
    expect(await other.recoverAppend(key)).toBe(true);
    const rebuilt = await other.get(key);
    expect(rebuilt?.length).toBe(first.length + second.length);
    expect(rebuilt?.subarray(0, first.length)).toEqual(first);
    expect(rebuilt?.subarray(first.length)).toEqual(second);
    expect(await pieceKeys(other, key)).toEqual([]);
    expect(await other.list("")).toEqual([key]); // pieces are never listed as objects
    expect(await other.recoverAppend(key)).toBe(true); // already complete: unchanged
    expect((await other.get(key))?.length).toBe(first.length + second.length);
  });

  test("past a multipart part: the part's pieces are deleted, recovery completes the upload with the tail", async () => {
    const writer = await nodeStore();
    const key = "video/big/live.mp4";
    const handle = (await writer.openAppend(key)) as S3AppendHandle;
    const body = pattern(5 * MiB + 300_000, 3);
    await handle.append(body.subarray(0, 3 * MiB));
    await waitFor("a piece of the first 3 MiB", async () => (await pieceKeys(writer, key)).length === 1);
    await handle.append(body.subarray(3 * MiB, 5 * MiB + 100_000));
    await waitFor("the first part", () => handle.uploadedBytes === 5 * MiB + 100_000, 20_000);
    await handle.append(body.subarray(5 * MiB + 100_000));
    // Pieces the part covers go; the one after it stays.
    await waitFor("pieces covered by the part deleted, the tail shipped", async () => {
      const keys = await pieceKeys(writer, key);
      return keys.length === 1 && keys[0].endsWith(String(5 * MiB + 100_000).padStart(15, "0"));
    }, 20_000);

    const other = await nodeStore();
    expect(await other.recoverAppend(key)).toBe(true);
    const rebuilt = await other.get(key);
    expect(rebuilt?.length).toBe(body.length);
    expect(Bun.hash(rebuilt!)).toBe(Bun.hash(body));
    expect((await other.abandonedUploads()).filter((u) => u.key === `p/${key}`)).toEqual([]);
    expect(await pieceKeys(other, key)).toEqual([]);
  }, 60_000);

  test("a normal close leaves one object and no pieces", async () => {
    const writer = await nodeStore();
    const key = "recordings/closed.tar";
    const handle = (await writer.openAppend(key)) as S3AppendHandle;
    await handle.append(pattern(10_000, 4));
    await waitFor("a piece", async () => (await pieceKeys(writer, key)).length === 1);
    await handle.append(pattern(5_000, 5));
    await handle.close();
    expect(await pieceKeys(writer, key)).toEqual([]);
    expect((await writer.get(key))?.length).toBe(15_000);
    expect(writer.pieceStats.puts).toBeGreaterThanOrEqual(1);
  });

  test("the writer's own spool wins over the pieces (it has every byte)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "deskreel-pieces-"));
    roots.push(dir);
    const key = "recordings/own.tar";
    const writer = new S3Store({ ...base, spoolDir: dir, pieceIntervalMs: 60_000 }); // no piece before the "crash"
    const handle = (await writer.openAppend(key)) as S3AppendHandle;
    await handle.append(pattern(20_000, 6));
    expect(handle.size).toBe(20_000);
    // The restarted process on the same disk: a new store over the same spool dir.
    const restarted = new S3Store({ ...base, spoolDir: dir });
    expect(await restarted.recoverAppend(key)).toBe(true);
    expect(await restarted.get(key)).toEqual(pattern(20_000, 6));
    expect(await restarted.recoverLocal()).toEqual([]);
  });
});
