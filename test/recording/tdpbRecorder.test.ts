// The recorder given TDPB: Teleport's set of kinds in field 4 as they came, the rest never; clipboard and
// shared-directory audit events as for legacy TDP; an oversize PNGFrame split into PNGFrames that fit.
import { describe, expect, test } from "bun:test";
import { createCanvas, loadImage } from "@napi-rs/canvas";
import { DesktopRecorder } from "../../src/recording/desktopRecorder.ts";
import { type AuditEvent, type DesktopRecordingEvent, EventType, MAX_RECORD_BYTES } from "../../src/recording/events.ts";
import { parseProtostream } from "../../src/recording/protostream.ts";
import { scanRecording } from "../../src/recording/scan.ts";
import { MessageType, type TdpMessage } from "../../src/tdp/messages.ts";
import { decodeTdpb, encodeTdpb } from "../../src/tdp/tdpb/codec.ts";
import { fromLegacy } from "../../src/tdp/tdpb/fromLegacy.ts";
import type { TdpbMessage } from "../../src/tdp/tdpb/messages.ts";
import { MemoryAppendHandle, MemoryAuditLog, noisyPng, sessionInfo } from "./helpers.ts";

const quiet = (): void => {};
const recordings = (events: AuditEvent[]): DesktopRecordingEvent[] =>
  events.filter((e): e is DesktopRecordingEvent => e.type === EventType.DesktopRecording);
const tdpbOf = (m: TdpMessage): Uint8Array => encodeTdpb(fromLegacy(m)!);

describe("recording TDPB", () => {
  test("Teleport's kinds are recorded in field 4 byte for byte; input, hellos and the rest never", async () => {
    const handle = new MemoryAppendHandle();
    const recorder = await DesktopRecorder.open({ info: sessionInfo("t-filter"), handle, auditLog: new MemoryAuditLog(), log: quiet });
    const ignored: TdpbMessage[] = [
      { kind: "clientHello", username: "secret-user", screenSpec: { width: 1024, height: 768, scale: 100 }, keyboardLayout: 0x409 },
      { kind: "keyboardButton", keyCode: 65, pressed: true },
      { kind: "mouseWheel", axis: 1, delta: -120 },
      { kind: "mfa", type: 1, channelId: "c", challenge: new Uint8Array(0), authenticationResponse: Uint8Array.of(1) },
      { kind: "rdpResponsePdu", response: Uint8Array.of(1, 2, 3) },
      { kind: "syncKeys", scrollLockPressed: false, numLockState: true, capsLockState: false, kanaLockState: false },
      { kind: "latencyStats", clientLatencyMs: 5, serverLatencyMs: 7 },
      { kind: "ping", uuid: new Uint8Array(16) },
      { kind: "sessionSelection", session: { name: "console" } },
    ];
    const recorded: TdpbMessage[] = [
      { kind: "serverHello", activationSpec: { ioChannelId: 1003, userChannelId: 1004, screenWidth: 1024, screenHeight: 768 }, clipboardEnabled: true, directoryRemoveSupported: false, sessions: [], hidpiSupported: false },
      { kind: "clientScreenSpec", width: 1024, height: 768, scale: 100 },
      { kind: "mouseMove", x: 5, y: 6 },
      { kind: "mouseButton", button: 1, pressed: true },
      { kind: "alert", message: "disk almost full", severity: 2 },
      { kind: "fastPathPdu", pdu: Uint8Array.of(9, 9, 9) },
    ];
    for (const m of ignored) expect(await recorder.record(encodeTdpb(m))).toBe("ignored");
    // an Envelope from a newer peer: accepted, not recorded
    expect(await recorder.record(Uint8Array.of(0, 0, 0, 3, 0xc0, 0x02, 7))).toBe("ignored");
    for (const m of recorded) expect(await recorder.record(encodeTdpb(m))).toBe("recorded");
    await recorder.close();
    const recs = recordings(parseProtostream(handle.bytes()).events);
    expect(recs.every((r) => r.message === null)).toBe(true);
    expect(recs.map((r) => r.tdpbMessage)).toEqual(recorded.map(encodeTdpb));
    // what verify shows
    const scan = await scanRecording(handle.bytes());
    expect(scan.tdpbMessageCounts).toEqual({ server_hello: 1, client_screen_spec: 1, mouse_move: 1, mouse_button: 1, alert: 1, fast_path_pdu: 1 });
    expect(scan.screen).toEqual({ width: 1024, height: 768 });
    expect(scan.problems).toEqual([]);
  });

  test("clipboard: kept without its data and a length-only audit event; keepClipboardContent keeps it", async () => {
    for (const keep of [false, true]) {
      const handle = new MemoryAppendHandle();
      const auditLog = new MemoryAuditLog();
      const recorder = await DesktopRecorder.open({ info: sessionInfo(`t-clip-${keep}`, { keepClipboardContent: keep }), handle, auditLog, log: quiet });
      const clip = encodeTdpb({ kind: "clipboardData", data: new TextEncoder().encode("hunter2") });
      expect(await recorder.record(clip, { direction: "client" })).toBe("recorded");
      await recorder.close();
      const events = parseProtostream(handle.bytes()).events;
      const kept = decodeTdpb(recordings(events)[0].tdpbMessage!);
      expect(kept).toEqual({ kind: "clipboardData", data: keep ? new TextEncoder().encode("hunter2") : new Uint8Array(0) });
      expect(events.find((e) => e.type === EventType.DesktopClipboardSend)).toMatchObject({ length: 7, code: "TDP02I" });
      expect(JSON.stringify(auditLog.entries)).not.toContain("hunter2");
    }
  });

  test("shared-directory exchanges give the same share/read/write events as their legacy form", async () => {
    const exchange: TdpMessage[] = [
      { type: MessageType.SharedDirectoryAnnounce, directoryId: 2, name: "reports" },
      { type: MessageType.SharedDirectoryAcknowledge, errCode: 0, directoryId: 2 },
      { type: MessageType.SharedDirectoryReadRequest, completionId: 11, directoryId: 2, path: "q1.csv", offset: 4096n, length: 100 },
      { type: MessageType.SharedDirectoryReadResponse, completionId: 11, errCode: 0, data: new Uint8Array(100) },
      { type: MessageType.SharedDirectoryWriteRequest, completionId: 12, directoryId: 2, offset: 0n, path: "out.txt", data: new Uint8Array(5) },
      { type: MessageType.SharedDirectoryWriteResponse, completionId: 12, errCode: 1, bytesWritten: 0 },
    ];
    const handle = new MemoryAppendHandle();
    const auditLog = new MemoryAuditLog();
    const recorder = await DesktopRecorder.open({ info: sessionInfo("t-fs"), handle, auditLog, log: quiet });
    const outcomes = [];
    for (const m of exchange) outcomes.push(await recorder.record(tdpbOf(m)));
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

  test("a PNGFrame whose record would exceed 64 KiB is split into PNGFrames that fit and compose to the same pixels", async () => {
    const { png, pixels } = noisyPng(3);
    const raw = encodeTdpb({ kind: "pngFrame", coordinates: { left: 640, top: 320, right: 640 + 255, bottom: 320 + 255 }, data: png });
    expect(raw.length).toBeGreaterThan(2.5 * MAX_RECORD_BYTES);
    const handle = new MemoryAppendHandle();
    const recorder = await DesktopRecorder.open({ info: sessionInfo("t-split"), handle, auditLog: new MemoryAuditLog(), log: quiet });
    await recorder.record(raw, { at: 1100 });
    const stats = await recorder.close();
    expect(stats.writer).toMatchObject({ oversizeSplit: 1, oversizeDropped: 0 });
    const recs = recordings(parseProtostream(handle.bytes(), { allowTruncated: false }).events);
    expect(recs.length).toBeGreaterThan(2);
    const screen = createCanvas(1280, 720);
    const ctx = screen.getContext("2d");
    for (const rec of recs) {
      const m = decodeTdpb(rec.tdpbMessage!);
      if (m.kind !== "pngFrame" || !m.coordinates) throw new Error("not a PNGFrame");
      const img = await loadImage(Buffer.from(m.data));
      // inclusive edges
      expect([img.width, img.height]).toEqual([m.coordinates.right - m.coordinates.left + 1, m.coordinates.bottom - m.coordinates.top + 1]);
      ctx.drawImage(img, m.coordinates.left, m.coordinates.top);
    }
    expect(Buffer.from(ctx.getImageData(640, 320, 256, 256).data).equals(Buffer.from(pixels))).toBe(true);
  });
});
