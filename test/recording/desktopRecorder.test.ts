import { afterAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DesktopRecorder } from "../../src/recording/desktopRecorder.ts";
import { type AuditEvent, type DesktopRecordingEvent, EventType, formatRfc3339, sessionIdOf } from "../../src/recording/events.ts";
import { parseProtostream } from "../../src/recording/protostream.ts";
import { scanRecording } from "../../src/recording/scan.ts";
import { FileStore } from "../../src/storage/fileStore.ts";
import { encodeMessage } from "../../src/tdp/codec.ts";
import { MessageType, type TdpMessage } from "../../src/tdp/messages.ts";
import { MemoryAppendHandle, MemoryAuditLog, sampleCapture, sessionInfo } from "./helpers.ts";

const quiet = (): void => {};
const T0 = Date.UTC(2025, 2, 4, 9, 0, 0);
const dir = await mkdtemp(join(tmpdir(), "deskreel-rec-"));
const store = new FileStore(dir);
afterAll(() => rm(dir, { recursive: true, force: true }));

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const recordings = (events: AuditEvent[]): DesktopRecordingEvent[] =>
  events.filter((e): e is DesktopRecordingEvent => e.type === EventType.DesktopRecording);

describe("recording the sample capture", async () => {
  const capture = await sampleCapture();
  const sid = "0a8f7e6d-5c4b-4a39-8271-605f4e3d2c1b";
  const auditLog = new MemoryAuditLog();
  const handle = await store.openAppend(`recordings/${sid}.tar`);
  const recorder = await DesktopRecorder.open({ info: sessionInfo(sid), handle, auditLog, openedAt: T0 - 400, log: quiet });
  let previousDelay = -1;
  for (const record of capture) {
    if (record.delayMs !== previousDelay) await nextTurn(); // a new captured frame arrives in a new turn
    previousDelay = record.delayMs;
    await recorder.record(record.data, { at: T0 + record.delayMs });
  }
  const lastDelay = capture[capture.length - 1]?.delayMs ?? 0;
  const stats = await recorder.close({ at: T0 + lastDelay + 100 });
  const file = await Bun.file(store.pathOf(`recordings/${sid}.tar`)).bytes();
  const { events, stats: readStats } = parseProtostream(file, { allowTruncated: false });

  test("the file is protostream v1: start (59), the messages (69), clipboard (71), end (60), indexes 0..n-1", () => {
    expect(readStats.parts).toBeGreaterThan(10); // written progressively, not at the end
    expect(events[0]?.type).toBe(EventType.WindowsDesktopSessionStart);
    expect(events[events.length - 1]?.type).toBe(EventType.WindowsDesktopSessionEnd);
    expect(events.map((e) => e.index)).toEqual(events.map((_, i) => i));
    expect(events.length).toBe(capture.length + 3);
    expect(recordings(events).length).toBe(capture.length);
    expect(events.filter((e) => e.type === EventType.DesktopClipboardReceive).length).toBe(1);
    expect(stats.writer).toMatchObject({ lost: 0, oversizeDropped: 0, accepted: capture.length + 3 });
    expect(stats.stream.bytesWritten).toBe(file.length);
  });

  test("each recorded message is the captured one, with the capture's delay (from the first message, not the start)", () => {
    const recs = recordings(events);
    for (const [i, rec] of recs.entries()) {
      const captured = capture[i];
      if (captured === undefined) throw new Error("capture shorter than recording");
      expect(rec.delayMs).toBe(captured.delayMs);
      expect(rec.time.getTime()).toBe(T0 + captured.delayMs);
      if (captured.data[0] !== MessageType.ClipboardData) expect(rec.message).toEqual(captured.data);
    }
  });

  test("the clipboard is recorded as a marker without its content; the length is in the clipboard event", () => {
    const recs = recordings(events);
    const clip = recs.find((e) => e.message?.[0] === MessageType.ClipboardData);
    expect(clip?.message).toEqual(Uint8Array.of(6, 0, 0, 0, 0));
    const clipEvent = events.find((e) => e.type === EventType.DesktopClipboardReceive);
    expect(clipEvent).toMatchObject({ length: "10.40.228.108".length, sessionId: sid, desktopName: "win-dc-01" });
    expect(Buffer.from(file).includes(Buffer.from("10.40.228.108"))).toBe(false);
  });

  test("start and end events describe the session", () => {
    expect(events[0]).toMatchObject({ sessionId: sid, user: "alice", windowsUser: "Administrator", code: "TDP00I", success: true, clusterName: "deskreel.test" });
    expect(events[events.length - 1]).toMatchObject({
      code: "TDP01I", recorded: true, participants: ["alice"], startTime: new Date(T0 - 400), endTime: new Date(T0 + lastDelay + 100),
    });
  });

  test("the main audit log holds start, clipboard and end in Teleport JSON, and no desktop.recording", () => {
    expect(auditLog.entries.map((e) => e.event)).toEqual([
      "windows.desktop.session.start", "desktop.clipboard.receive", "windows.desktop.session.end",
    ]);
    expect(auditLog.entries[1]).toMatchObject({ code: "TDP03I", sid, length: 13, desktop_name: "win-dc-01", desktop_addr: "10.0.0.5:3389" });
    expect(auditLog.entries[2]).toMatchObject({ recorded: true, windows_user: "Administrator", session_start: formatRfc3339(new Date(T0 - 400)) });
  });

  test("scanRecording summarises it without problems", async () => {
    const summary = await scanRecording(file);
    expect(summary).toMatchObject({ kind: "desktop", sessionId: sid, durationMs: lastDelay, screen: { width: 1280, height: 720 }, problems: [], error: null });
    expect(summary.tdpMessageCounts).toMatchObject({ 1: 1, 2: 2717, 3: 171, 4: 24, 6: 1, 27: 1174, 28: 1 });
  });
});

describe("what is and is not recorded", () => {
  test("keyboard, username, wheel, MFA and other client-only messages never reach the recording", async () => {
    const handle = new MemoryAppendHandle();
    const recorder = await DesktopRecorder.open({ info: sessionInfo("s-filter"), handle, auditLog: new MemoryAuditLog(), log: quiet });
    const ignored: TdpMessage[] = [
      { type: MessageType.KeyboardButton, keyCode: 65, state: 1 },
      { type: MessageType.ClientUsername, username: "secret-user" },
      { type: MessageType.MouseWheel, axis: 0, delta: -120 },
      { type: MessageType.MFA, mfaType: "n", json: "{\"challenge\":1}" },
      { type: MessageType.RDPResponsePDU, data: Uint8Array.of(1, 2, 3) },
      { type: MessageType.SyncKeys, scrollLock: 0, numLock: 1, capsLock: 0, kanaLock: 0 },
      { type: MessageType.ClientKeyboardLayout, layout: 0x409 },
      { type: MessageType.LatencyStats, clientLatency: 5, serverLatency: 7 },
    ];
    const recorded: TdpMessage[] = [
      { type: MessageType.MouseMove, x: 5, y: 6 },
      { type: MessageType.Error, message: "boom" },
      { type: MessageType.Alert, message: "disk almost full", severity: 1 },
      { type: MessageType.RDPConnectionActivated, ioChannelId: 1003, userChannelId: 1004, width: 1024, height: 768 },
      { type: MessageType.RDPFastPathPDU, data: Uint8Array.of(9, 9, 9) },
    ];
    for (const m of ignored) expect(await recorder.record(encodeMessage(m))).toBe("ignored");
    for (const m of recorded) expect(await recorder.record(encodeMessage(m))).toBe("recorded");
    await recorder.close();
    const types = recordings(parseProtostream(handle.bytes()).events).map((e) => e.message?.[0]);
    expect(types).toEqual(recorded.map((m) => m.type));
  });

  test("keepClipboardContent keeps the data; a client-side copy is a DesktopClipboardSend", async () => {
    const handle = new MemoryAppendHandle();
    const auditLog = new MemoryAuditLog();
    const info = sessionInfo("s-clip", { keepClipboardContent: true });
    const recorder = await DesktopRecorder.open({ info, handle, auditLog, log: quiet });
    const clip = encodeMessage({ type: MessageType.ClipboardData, data: new TextEncoder().encode("hunter2") });
    await recorder.record(clip, { direction: "client" });
    await recorder.close();
    const events = parseProtostream(handle.bytes()).events;
    expect(recordings(events)[0]?.message).toEqual(clip);
    expect(events.find((e) => e.type === EventType.DesktopClipboardSend)).toMatchObject({ length: 7, code: "TDP02I" });
    expect(auditLog.entries.map((e) => e.event)).toContain("desktop.clipboard.send");
    expect(JSON.stringify(auditLog.entries)).not.toContain("hunter2");
  });

  test("shared-directory exchanges become share/read/write events, in the recording and the audit log", async () => {
    const handle = new MemoryAppendHandle();
    const auditLog = new MemoryAuditLog();
    const recorder = await DesktopRecorder.open({ info: sessionInfo("s-fs"), handle, auditLog, log: quiet });
    const exchange: TdpMessage[] = [
      { type: MessageType.SharedDirectoryAnnounce, directoryId: 2, name: "reports" },
      { type: MessageType.SharedDirectoryAcknowledge, errCode: 0, directoryId: 2 },
      { type: MessageType.SharedDirectoryReadRequest, completionId: 11, directoryId: 2, path: "q1.csv", offset: 4096n, length: 100 },
      { type: MessageType.SharedDirectoryReadResponse, completionId: 11, errCode: 0, data: new Uint8Array(100) },
      { type: MessageType.SharedDirectoryWriteRequest, completionId: 12, directoryId: 2, offset: 0n, path: "out.txt", data: new Uint8Array(5) },
      { type: MessageType.SharedDirectoryWriteResponse, completionId: 12, errCode: 1, bytesWritten: 0 },
    ];
    const outcomes = [];
    for (const m of exchange) outcomes.push(await recorder.record(encodeMessage(m), { message: m }));
    await recorder.close();
    expect(outcomes).toEqual(["ignored", "audited", "ignored", "audited", "ignored", "audited"]);
    const events = parseProtostream(handle.bytes()).events;
    expect(events.map((e) => e.type)).toEqual([
      "windows.desktop.session.start", "desktop.directory.share", "desktop.directory.read", "desktop.directory.write", "windows.desktop.session.end",
    ]);
    expect(events[2]).toMatchObject({ directoryName: "reports", path: "q1.csv", offset: 4096, length: 100, success: true, code: "TDP05I" });
    expect(events[3]).toMatchObject({ path: "out.txt", length: 5, success: false, code: "TDP06W" });
    expect(auditLog.entries.map((e) => e.event)).toEqual(events.map((e) => e.type));
  });
});

describe("isolation and interruption", async () => {
  const capture = (await sampleCapture()).slice(0, 600);

  test("two concurrent sessions never mix", async () => {
    const sids = ["11111111-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "22222222-bbbb-4bbb-8bbb-bbbbbbbbbbbb"];
    const auditLog = new MemoryAuditLog();
    const recorders = await Promise.all(
      sids.map(async (sid, i) =>
        DesktopRecorder.open({ info: sessionInfo(sid, { user: `user${i}` }), handle: await store.openAppend(`recordings/${sid}.tar`), auditLog, log: quiet }),
      ),
    );
    // Interleaved, and not awaited one by one: both sessions' messages are in flight together.
    const pending: Promise<unknown>[] = [];
    for (const [n, record] of capture.entries()) {
      for (const [i, recorder] of recorders.entries()) {
        if (i === 1 && n % 2 === 1) continue; // session 2 sees every other message
        pending.push(recorder.record(record.data, { at: T0 + record.delayMs + i }));
      }
      if (n % 50 === 0) await nextTurn();
    }
    await Promise.all(pending);
    await Promise.all(recorders.map((r) => r.close()));
    for (const [i, sid] of sids.entries()) {
      const { events } = parseProtostream((await store.get(`recordings/${sid}.tar`)) ?? new Uint8Array(0));
      expect(events.map((e) => e.index)).toEqual(events.map((_, k) => k));
      const named = events.map(sessionIdOf).filter((s) => s !== "");
      expect(new Set(named)).toEqual(new Set([sid]));
      expect(events[0]).toMatchObject({ user: `user${i}` });
      const expected = i === 0 ? capture : capture.filter((_, n) => n % 2 === 0);
      expect(recordings(events).map((e) => e.message)).toEqual(expected.map((r) => (r.data[0] === 6 ? Uint8Array.of(6, 0, 0, 0, 0) : r.data)));
    }
  });

  test("a stream cut mid-session (process dies mid-append) leaves everything before the cut readable", async () => {
    /** Dies on the 6th append after writing half of it, as a crash during write() would. */
    class DyingHandle extends MemoryAppendHandle {
      dead = false;
      override async append(data: Uint8Array): Promise<void> {
        if (this.dead) throw new Error("process gone");
        if (this.appends === 5) {
          this.dead = true;
          await super.append(data.subarray(0, Math.floor(data.length / 2)));
          throw new Error("process gone");
        }
        await super.append(data);
      }
    }
    const handle = new DyingHandle();
    const recorder = await DesktopRecorder.open({
      info: sessionInfo("s-cut"), handle, auditLog: new MemoryAuditLog(), log: quiet, openedAt: T0, stream: { retryDelayMs: 1000 },
    });
    for (const [n, record] of capture.entries()) {
      await recorder.record(record.data, { at: T0 + record.delayMs });
      if (n % 20 === 0) await nextTurn();
    }
    const durable = recorder.stats().stream.lastConfirmedIndex;
    const file = handle.bytes(); // what is on disk: 5 whole parts and half of the 6th
    const { events, stats } = parseProtostream(file);
    expect(stats.parts).toBe(5);
    expect(stats.truncatedAt).toBeGreaterThan(0);
    expect(stats.truncatedAt).toBeLessThan(file.length);
    expect(events.map((e) => e.index)).toEqual([...Array(durable + 1).keys()]);
    expect(recordings(events).map((e) => e.message)).toEqual(capture.slice(0, durable).map((r) => r.data));
    const summary = await scanRecording(file);
    expect(summary.end).toBeNull();
    expect(summary.problems).toEqual([
      `the last part is incomplete (cut at byte ${stats.truncatedAt}); read up to there`,
      "no session end event (the session was interrupted or is still live)",
    ]);
  });
});
