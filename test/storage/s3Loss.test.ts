// What a writer killed with SIGKILL, its disk lost, leaves in the bucket: a process appends a timestamp every
// 20 ms to a live S3 object (default piece interval), is killed, and another store with an empty spool
// rebuilds the object. The newest timestamp it holds must be at most 5 s before the kill.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_PIECE_INTERVAL_MS, S3Store } from "../../src/storage/s3Store.ts";
import { piecesPrefix } from "../../src/storage/s3Pieces.ts";
import { waitFor } from "../support/server.ts";
import { MOTO_INSTALL_HINT, type S3TestServer, createTestBucket, motoServerPath, startS3Server } from "./s3server.ts";

const available = motoServerPath() !== null;
if (!available) console.warn(`S3 loss test skipped: moto_server is not installed. Install it with: ${MOTO_INSTALL_HINT}`);
const ROOT = join(import.meta.dir, "../..");
const RECORD = 16;

let s3: S3TestServer;
const dirs: string[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "deskreel-loss-"));
  dirs.push(d);
  return d;
}

describe.skipIf(!available)("bounded loss when a writer dies with its disk", () => {
  beforeAll(async () => {
    s3 = await startS3Server();
    await createTestBucket(s3, "loss");
  }, 30_000);

  afterAll(async () => {
    await s3?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test(`SIGKILL + lost spool loses at most 5 s (pieces every ${DEFAULT_PIECE_INTERVAL_MS} ms)`, async () => {
    const location = { endpoint: s3.endpoint, bucket: "loss", region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
    const script = `
      import { S3Store } from "${ROOT}/src/storage/s3Store.ts";
      const store = new S3Store({ ...${JSON.stringify(location)}, spoolDir: ${JSON.stringify(tempDir())} });
      const handle = await store.openAppend("recordings/killed.tar");
      console.log("writing");
      for (;;) {
        const rec = new Uint8Array(${RECORD});
        new DataView(rec.buffer).setFloat64(0, Date.now());
        await handle.append(rec);
        await Bun.sleep(20);
      }`;
    const child = Bun.spawn([process.execPath, "-e", script], { cwd: ROOT, stdout: "pipe", stderr: "inherit" });
    const reader = child.stdout.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain("writing");
    // Killed once two pieces are in the bucket (the writer keeps appending, so bytes are in flight at the kill too).
    const watcher = new S3Store({ ...location, spoolDir: tempDir() });
    await waitFor("two pieces in the bucket", async () =>
      (await watcher.listObjects(piecesPrefix("", "recordings/killed.tar"))).length >= 2 ? true : undefined);
    const killedAt = Date.now();
    child.kill("SIGKILL");
    await child.exited;

    const survivor = new S3Store({ ...location, spoolDir: tempDir() });
    expect(await survivor.recoverAppend("recordings/killed.tar")).toBe(true);
    const bytes = await survivor.get("recordings/killed.tar");
    expect(bytes).not.toBeNull();
    expect(bytes!.length % RECORD).toBe(0);
    const view = new DataView(bytes!.buffer, bytes!.byteOffset, bytes!.byteLength);
    const stamps = Array.from({ length: bytes!.length / RECORD }, (_, i) => view.getFloat64(i * RECORD));
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]).toBeGreaterThanOrEqual(stamps[i - 1]); // no hole, no reordering
    const lossMs = killedAt - stamps[stamps.length - 1];
    console.log(`lost the last ${lossMs} ms of ${killedAt - stamps[0]} ms written`);
    expect(lossMs).toBeLessThanOrEqual(5_000);
    expect(lossMs).toBeGreaterThanOrEqual(0);
  }, 60_000);
});
