import { describe, expect, test } from "bun:test";
import protobuf from "protobufjs";
import {
  type AuditEvent,
  EventCode,
  EventType,
  blankMetadata,
  decodeOneOf,
  encodeOneOf,
  formatRfc3339,
  toAuditJson,
} from "../../src/recording/events.ts";

const T0 = new Date("2025-03-04T05:06:07.890Z");
const who = { user: "alice", login: "Administrator", sessionId: "5b3c1e54-0a4e-4c1f-9d2e-1f0a9b8c7d6e" };
const conn = { localAddr: "10.0.0.1:3028", remoteAddr: "192.0.2.7:50000", protocol: "tdp" };
const meta = { ...blankMetadata(), index: 7, time: T0, id: "uid-1", clusterName: "cluster-a" };

const samples: AuditEvent[] = [
  { ...meta, id: "", type: EventType.DesktopRecording, message: Uint8Array.of(3, 0, 0, 0, 1, 0, 0, 0, 2), tdpbMessage: null, delayMs: 1234 },
  { ...meta, id: "", type: EventType.SessionPrint, chunkIndex: 3, data: new TextEncoder().encode("ls\r\n"), bytes: 4, delayMs: 50, offset: 99 },
  {
    ...meta, ...who, ...conn, type: EventType.WindowsDesktopSessionStart, code: EventCode.DesktopSessionStart,
    success: true, error: "", userMessage: "", desktopService: "svc", desktopAddr: "10.0.0.5:3389", domain: "corp",
    windowsUser: "Administrator", desktopLabels: { env: "prod" }, desktopName: "dc-01", allowUserCreation: true, nla: true,
  },
  {
    ...meta, ...who, ...conn, type: EventType.WindowsDesktopSessionEnd, code: EventCode.DesktopSessionEnd,
    desktopService: "svc", desktopAddr: "10.0.0.5:3389", domain: "corp", windowsUser: "Administrator",
    desktopLabels: { env: "prod" }, desktopName: "dc-01", startTime: new Date(T0.getTime() - 60_000), endTime: T0,
    recorded: true, participants: ["alice", "bob"],
  },
  { ...meta, ...who, ...conn, type: EventType.DesktopClipboardReceive, code: EventCode.DesktopClipboardReceive, desktopAddr: "a:1", desktopName: "dc", length: 13 },
  { ...meta, ...who, ...conn, type: EventType.DesktopClipboardSend, code: EventCode.DesktopClipboardSend, desktopAddr: "a:1", desktopName: "dc", length: 2 },
  {
    ...meta, ...who, ...conn, type: EventType.SessionStart, code: EventCode.SessionStart, serverNamespace: "default",
    serverId: "node-1", serverHostname: "web1", serverAddr: "10.0.0.9:22", serverLabels: { role: "web" },
    terminalSize: "80:25", initialCommand: [], sessionRecording: "node",
  },
  {
    ...meta, ...who, ...conn, type: EventType.SessionEnd, code: EventCode.SessionEnd, serverNamespace: "default",
    serverId: "node-1", serverHostname: "web1", serverAddr: "", serverLabels: {}, enhancedRecording: false,
    interactive: true, participants: ["alice"], startTime: new Date(T0.getTime() - 1000), endTime: T0,
    initialCommand: ["bash"], sessionRecording: "node",
  },
  {
    ...meta, ...who, ...conn, type: EventType.DesktopSharedDirectoryStart, code: EventCode.DesktopSharedDirectoryStart,
    success: true, error: "", userMessage: "", desktopAddr: "a:1", desktopName: "dc", directoryName: "docs", directoryId: 2,
  },
  {
    ...meta, ...who, ...conn, type: EventType.DesktopSharedDirectoryWrite, code: EventCode.DesktopSharedDirectoryWriteFailure,
    success: false, error: "write failed", userMessage: "", desktopAddr: "a:1", desktopName: "dc", directoryName: "docs",
    directoryId: 2, path: "a/b.txt", length: 512, offset: 4096,
  },
];

describe("OneOf encoding", () => {
  test.each(samples.map((e) => [e.type, e] as const))("%s survives encode → decode", (_type, event) => {
    expect(decodeOneOf(encodeOneOf(event))).toEqual(event);
  });

  test("uses Teleport's field numbers (checked against bytes built without our .proto)", () => {
    // OneOf.DesktopRecording = 69 { Metadata = 1 { Index = 1, Type = 2, Time = 5 }, Message = 2, DelayMilliseconds = 3 }
    const time = protobuf.Writer.create().uint32(8).int64(1_741_064_767).uint32(16).int32(890_000_000).finish();
    const metadata = protobuf.Writer.create()
      .uint32((1 << 3) | 0).int64(42)
      .uint32((2 << 3) | 2).string("desktop.recording")
      .uint32((5 << 3) | 2).bytes(time)
      .finish();
    const body = protobuf.Writer.create()
      .uint32((1 << 3) | 2).bytes(metadata)
      .uint32((2 << 3) | 2).bytes(Uint8Array.of(1, 0, 0, 5, 0, 0, 0, 2, 208))
      .uint32((3 << 3) | 0).int64(777)
      .finish();
    const oneOf = protobuf.Writer.create().uint32((69 << 3) | 2).bytes(body).finish();
    const event = decodeOneOf(oneOf);
    expect(event).toMatchObject({ type: "desktop.recording", index: 42, delayMs: 777, time: T0 });
    if (event.type !== EventType.DesktopRecording) throw new Error("wrong type");
    expect(event.message).toEqual(Uint8Array.of(1, 0, 0, 5, 0, 0, 0, 2, 208));
    // And our encoder writes the same OneOf tag: 69 << 3 | 2 = 554 = varint aa 04.
    expect([...encodeOneOf(event).subarray(0, 2)]).toEqual([0xaa, 0x04]);
  });

  test.each([
    [EventType.WindowsDesktopSessionStart, 59],
    [EventType.WindowsDesktopSessionEnd, 60],
    [EventType.DesktopClipboardSend, 70],
    [EventType.DesktopClipboardReceive, 71],
    [EventType.SessionStart, 5],
    [EventType.SessionPrint, 7],
    [EventType.SessionEnd, 10],
    [EventType.DesktopSharedDirectoryStart, 106],
    [EventType.DesktopSharedDirectoryWrite, 108],
  ])("%s is OneOf field %d", (type, field) => {
    const event = samples.find((e) => e.type === type);
    if (event === undefined) throw new Error(`no sample for ${type}`);
    const reader = protobuf.Reader.create(encodeOneOf(event));
    expect(reader.uint32() >>> 3).toBe(field);
  });
});

describe("Teleport JSON", () => {
  test("RFC 3339 times drop trailing fractional zeros like Go's RFC3339Nano", () => {
    expect(formatRfc3339(new Date("2025-03-04T05:06:07.890Z"))).toBe("2025-03-04T05:06:07.89Z");
    expect(formatRfc3339(new Date("2025-03-04T05:06:07.000Z"))).toBe("2025-03-04T05:06:07Z");
    expect(formatRfc3339(new Date("2025-03-04T05:06:07.001Z"))).toBe("2025-03-04T05:06:07.001Z");
  });

  test("desktop session end uses Teleport's json tags", () => {
    const end = samples[3];
    if (end === undefined) throw new Error("missing sample");
    expect(toAuditJson(end)).toEqual({
      ei: 7, event: "windows.desktop.session.end", uid: "uid-1", code: "TDP01I", time: "2025-03-04T05:06:07.89Z",
      cluster_name: "cluster-a", user: "alice", login: "Administrator", sid: who.sessionId,
      windows_desktop_service: "svc", desktop_addr: "10.0.0.5:3389", windows_domain: "corp", windows_user: "Administrator",
      desktop_labels: { env: "prod" }, session_start: "2025-03-04T05:05:07.89Z", session_stop: "2025-03-04T05:06:07.89Z",
      desktop_name: "dc-01", recorded: true, participants: ["alice", "bob"],
      "addr.local": "10.0.0.1:3028", "addr.remote": "192.0.2.7:50000", proto: "tdp",
    });
  });

  test("recording and print events carry ms; print never carries its data; clipboard only its length", () => {
    const [recording, print, , , clip] = samples;
    if (recording === undefined || print === undefined || clip === undefined) throw new Error("missing sample");
    expect(toAuditJson(recording)).toMatchObject({ event: "desktop.recording", ms: 1234, message: "AwAAAAEAAAAC" });
    expect(toAuditJson(recording)).not.toHaveProperty("uid");
    const printJson = toAuditJson(print);
    expect(printJson).toMatchObject({ event: "print", ci: 3, bytes: 4, ms: 50, offset: 99 });
    expect(JSON.stringify(printJson)).not.toContain(Buffer.from("ls\r\n").toString("base64"));
    expect(toAuditJson(clip)).toMatchObject({ event: "desktop.clipboard.receive", code: "TDP03I", length: 13, sid: who.sessionId });
  });

  test("shared-directory events name the file and the failure", () => {
    const write = samples[9];
    if (write === undefined) throw new Error("missing sample");
    expect(toAuditJson(write)).toMatchObject({
      event: "desktop.directory.write", code: "TDP06W", success: false, error: "write failed",
      directory_name: "docs", directory_id: 2, file_path: "a/b.txt", length: 512, offset: 4096,
    });
  });
});
