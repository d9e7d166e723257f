// Verifying reads and hashes every stored byte of a recording: requests for the same recording share one
// verification, two run at a time, a few wait, and beyond that the API answers 503 with Retry-After
// instead of reading every recording at once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { BoundedWork, BusyError } from "../../src/boundedWork.ts";
import { recordingOf } from "../support/recordings.ts";
import { sampleUntil } from "../support/corpus.ts";
import { startTestServer, type TestServer } from "../support/server.ts";

describe("BoundedWork", () => {
  test("runs at most maxConcurrent at once, queues maxQueued, refuses the next at once", async () => {
    const work = new BoundedWork(2, 3, "full");
    const gates: Array<() => void> = [];
    let running = 0;
    let peak = 0;
    const job = () => new Promise<number>((resolve) => {
      running++;
      peak = Math.max(peak, running);
      gates.push(() => {
        running--;
        resolve(peak);
      });
    });
    const accepted = Array.from({ length: 5 }, () => work.run(job));
    await expect(work.run(job)).rejects.toBeInstanceOf(BusyError);
    expect(work.stats()).toEqual({ running: 2, peakRunning: 2, waiting: 3, busyRefusals: 1 });
    // Each finished job hands its slot to the next waiter.
    for (let done = 0; done < 5; done++) {
      await Bun.sleep(1);
      gates.shift()!();
    }
    expect(await Promise.all(accepted)).toHaveLength(5);
    expect(peak).toBe(2);
    expect(work.stats()).toMatchObject({ running: 0, waiting: 0 });
  });

  test("a job that throws frees its slot", async () => {
    const work = new BoundedWork(1, 0, "full");
    await expect(work.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await work.run(async () => 7)).toBe(7);
  });
});

describe("verification on a server", () => {
  let server: TestServer;
  const ID = "verify-load-0001";

  beforeAll(async () => {
    server = await startTestServer();
    const file = await recordingOf(sampleUntil(5_000), ID, "WIN-VERIFY");
    const res = await fetch(`${server.url}/v1/recordings/import`, {
      method: "POST", headers: { ...server.auth, "content-type": "application/octet-stream" }, body: new Uint8Array(file),
    });
    expect(res.status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await server?.dispose();
  });

  test("requests for the same recording share one verification", async () => {
    const row = (await server.services.catalog.getRecording(ID))!;
    const { evidence } = server.services;
    expect(evidence.verify(row)).toBe(evidence.verify(row));
    await evidence.verify(row);
    // Once done, the next request verifies anew.
    const again = evidence.verify(row);
    const live = evidence.verify({ ...row, status: "live" });
    expect(again).not.toBe(live);
    await Promise.all([again, live]);
  });

  test("beyond two running and eight waiting, verify answers 503 with Retry-After", async () => {
    const { evidence } = server.services;
    expect(evidence.verifications.stats()).toMatchObject({ running: 0, waiting: 0 });
    // Ten other verifications (held open here) take both slots and every place in the queue.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const taken = Array.from({ length: 10 }, () => evidence.verifications.run(() => held));
    const res = await server.get(`/v1/recordings/${ID}/verify`);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(((await res.json()) as { error: string }).error).toContain("try again");
    release();
    await Promise.all(taken);
    const ok = await server.get(`/v1/recordings/${ID}/verify`);
    expect(ok.status).toBe(200);
    expect(evidence.verifications.stats().busyRefusals).toBe(1);
  });
});
