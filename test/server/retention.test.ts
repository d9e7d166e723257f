// Retention, legal hold and deletion by hand, on a real server: what goes is exactly the old, unheld, finished
// recordings, with every stored object and catalog row of them; nothing held or live is touched; only admins act.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RecordingDetail, RecordingPage } from "../../src/api/recordings.ts";
import type { AuditEvent } from "../../src/catalog/types.ts";
import { blobKeys, sessionObjectPrefixes } from "../../src/storage/sessionKeys.ts";
import { sampleUntil } from "../support/corpus.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { recordingOf } from "../support/recordings.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../support/server.ts";

const DAY = 24 * 60 * 60 * 1000;
const records = sampleUntil(2500);
const OLD = ["old-0001", "old-0002", "old-0003"];
const HELD = "old-held-0001";
const RECENT = "recent-0001";
const LIVE = "live-ret-0001";

let server: TestServer;
let live: IngestClient;
let auditorToken: string;
let userToken: string;

async function importAt(id: string, openedAt: number): Promise<void> {
  const file = await recordingOf(records, id, `WIN-${id}`, openedAt);
  const res = await fetch(`${server.url}/v1/recordings/import`, {
    method: "POST", headers: { ...server.auth, "content-type": "application/octet-stream" }, body: new Uint8Array(file),
  });
  expect(res.status).toBe(201);
  await waitFor(`the video of ${id}`, async () => {
    const it = await server.json<RecordingDetail>(`/v1/recordings/${id}`);
    return it.video.state === "ready" ? it : undefined;
  }, 120_000);
}

async function objectsOf(id: string): Promise<string[]> {
  const keys: string[] = [];
  for (const prefix of sessionObjectPrefixes(id)) keys.push(...(await server.services.store.list(prefix)));
  return keys;
}

function call(method: string, path: string, token: string | null, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : { ...server.auth };
  if (body !== undefined) headers["content-type"] = "application/json";
  return fetch(server.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function deleteEvents(): Promise<AuditEvent[]> {
  const { events } = await server.json<{ events: AuditEvent[] }>("/v1/audit/events?type=recording.delete&limit=100");
  return events;
}

beforeAll(async () => {
  server = await startTestServer({ DESKREEL_RETENTION_DAYS: "30" });
  auditorToken = await server.services.auth.createToken("ret-auditor", "auditor");
  userToken = await server.services.auth.createToken("ret-user", "user");
  const longAgo = Date.now() - 40 * DAY;
  for (const [i, id] of [...OLD, HELD].entries()) await importAt(id, longAgo + i * 60_000);
  await importAt(RECENT, Date.now() - 5 * DAY);
  live = await IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: "WIN-LIVE", user: "alice", session_id: LIVE });
  await live.replay(records);
  await waitFor("the live session's recording", async () => ((await server.services.store.size(blobKeys(LIVE).recording)) ?? 0) > 0 || undefined);
}, 400_000);

afterAll(async () => {
  await live?.close().catch(() => undefined);
  await server?.dispose();
});

describe("legal hold", () => {
  test("only admins may hold, release or delete; auditors and users get 403", async () => {
    for (const token of [auditorToken, userToken]) {
      expect((await call("PUT", `/v1/recordings/${HELD}/hold`, token, { reason: "x" })).status).toBe(403);
      expect((await call("DELETE", `/v1/recordings/${HELD}/hold`, token)).status).toBe(403);
      expect((await call("DELETE", `/v1/recordings/${OLD[0]}`, token, { reason: "x" })).status).toBe(403);
    }
    const anonymous = await fetch(`${server.url}/v1/recordings/${OLD[0]}`, { method: "DELETE" });
    expect(anonymous.status).toBe(401);
    expect(await server.services.catalog.getRecording(OLD[0])).not.toBeNull();
  });

  test("an admin puts a recording on hold: listed with its hold, found with held=true, audited", async () => {
    const res = await call("PUT", `/v1/recordings/${HELD}/hold`, null, { reason: "case 4711" });
    expect(res.status).toBe(200);
    const item = (await res.json()) as RecordingDetail;
    expect(item.legal_hold?.reason).toBe("case 4711");
    expect(item.legal_hold?.by).toBeTruthy();
    const held = await server.json<RecordingPage>("/v1/recordings?held=true");
    expect(held.items.map((i) => i.id)).toEqual([HELD]);
    const notHeld = await server.json<RecordingPage>("/v1/recordings?held=false&limit=500");
    expect(notHeld.items.map((i) => i.id)).not.toContain(HELD);
    expect((await server.get("/v1/recordings?held=maybe")).status).toBe(400);
    const { events } = await server.json<{ events: AuditEvent[] }>(`/v1/audit/events?type=recording.hold&sid=${HELD}`);
    expect(events).toHaveLength(1);
    expect(events[0]?.reason).toBe("case 4711");
  });
});

describe("retention", () => {
  test("deletes exactly the old unheld finished recordings, every object and row of them, nothing held, recent or live", async () => {
    const before = new Map<string, string[]>();
    for (const id of [...OLD, HELD, RECENT, LIVE]) before.set(id, await objectsOf(id));
    for (const id of OLD) {
      // An import has the recording, the final MP4 and the thumbnail at least (no live fMP4).
      const keys = blobKeys(id);
      expect(before.get(id)).toEqual(expect.arrayContaining([keys.recording, keys.video, keys.thumbnail]));
    }
    const pass = await server.services.retention.run();
    expect(pass.deleted.sort()).toEqual([...OLD].sort());
    expect(pass.failed).toBe(0);

    for (const id of OLD) {
      expect(await objectsOf(id)).toEqual([]);
      expect(await server.services.catalog.getRecording(id)).toBeNull();
      expect(await server.services.catalog.listMarkers(id)).toEqual([]);
      expect((await server.get(`/v1/recordings/${id}`)).status).toBe(404);
      expect((await server.get(`/v1/recordings/${id}/video.mp4`)).status).toBe(404);
    }
    for (const id of [HELD, RECENT, LIVE]) {
      expect(await server.services.catalog.getRecording(id)).not.toBeNull();
      // Nothing of theirs went (the live one may have grown meanwhile).
      expect(await objectsOf(id)).toEqual(expect.arrayContaining(before.get(id) ?? []));
    }
    expect(await server.services.store.list("removals/")).toEqual([]);
    const events = (await deleteEvents()).filter((e) => e.deleted_by === "retention");
    expect(events.map((e) => e.sid).sort()).toEqual([...OLD].sort());
    for (const e of events) {
      expect(e.user).toBe("retention");
      expect(String(e.reason)).toContain("30 days");
      expect(e.objects).toBe(before.get(String(e.sid))?.length);
    }
    // A second pass finds nothing more.
    expect((await server.services.retention.run()).deleted).toEqual([]);
  }, 60_000);
});

describe("deleting by hand", () => {
  test("a held recording cannot be deleted (409) until released; then it goes with its objects, audited with the admin's reason", async () => {
    const refused = await call("DELETE", `/v1/recordings/${HELD}`, null, { reason: "cleanup" });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toMatch(/legal hold/);
    expect((await objectsOf(HELD)).length).toBeGreaterThan(0);

    const released = await call("DELETE", `/v1/recordings/${HELD}/hold`, null);
    expect(released.status).toBe(200);
    expect(((await released.json()) as RecordingDetail).legal_hold).toBeNull();

    const res = await call("DELETE", `/v1/recordings/${HELD}`, null, { reason: "case closed" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; objects: number; bytes: number };
    expect(body.id).toBe(HELD);
    expect(body.objects).toBeGreaterThanOrEqual(3);
    expect(await objectsOf(HELD)).toEqual([]);
    expect(await server.services.catalog.getRecording(HELD)).toBeNull();
    const event = (await deleteEvents()).find((e) => e.sid === HELD);
    expect(event).toMatchObject({ deleted_by: "admin", reason: "case closed", objects: body.objects });
    expect((await call("DELETE", `/v1/recordings/${HELD}`, null)).status).toBe(404);
  }, 30_000);

  test("a live recording cannot be deleted (409)", async () => {
    const res = await call("DELETE", `/v1/recordings/${LIVE}`, null, {});
    expect(res.status).toBe(409);
    expect(await server.services.catalog.getRecording(LIVE)).not.toBeNull();
  });

  test("a deletion cut short after its catalog row went is finished on the next pass", async () => {
    const { store, catalog, removal } = server.services;
    const objects = await objectsOf(RECENT);
    expect(objects.length).toBeGreaterThan(0);
    // As if the process died right after step 2: the tombstone and the objects are there, the row is not.
    await store.put(`removals/${RECENT}.json`, new TextEncoder().encode(JSON.stringify({ id: RECENT, by: "root", via: "admin", reason: "crash test", atMs: Date.now() })));
    expect(await catalog.deleteRecording(RECENT)).toBe("deleted");
    expect(await removal.finishPending()).toBe(1);
    expect(await objectsOf(RECENT)).toEqual([]);
    expect(await store.list("removals/")).toEqual([]);
    expect((await deleteEvents()).find((e) => e.sid === RECENT)).toMatchObject({ deleted_by: "admin", reason: "crash test" });
    // A tombstone whose recording still exists (a deletion refused or cut short before its row went) keeps it.
    await store.put(`removals/${LIVE}.json`, new TextEncoder().encode(JSON.stringify({ id: LIVE, by: "x", via: "admin", reason: "r", atMs: 0 })));
    expect(await removal.finishPending()).toBe(0);
    expect(await catalog.getRecording(LIVE)).not.toBeNull();
    expect(await store.list("removals/")).toEqual([]);
  }, 30_000);
});
