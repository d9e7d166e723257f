import { describe, expect, test } from "bun:test";
import {
  AuditWriter,
  type AuditWriterConfig,
  RecordingRefusedError,
  desktopRecordingEvent,
  sessionPrintEvent,
  splitPrintData,
} from "../../src/recording/auditWriter.ts";
import { EventType, MAX_RECORD_BYTES, type SessionPrintEvent, blankMetadata } from "../../src/recording/events.ts";
import { parseProtostream } from "../../src/recording/protostream.ts";
import { SessionStream } from "../../src/recording/sessionStream.ts";
import { TroubledAppendHandle, until } from "./helpers.ts";

const SID = "2f1d7c9a-1111-4222-8333-944455556666";
const quiet = (): void => {};

function setup(config: Partial<AuditWriterConfig> = {}) {
  const handle = new TroubledAppendHandle(`recordings/${SID}.tar`);
  const stream = new SessionStream({ sessionId: SID, handle, log: quiet, retryDelayMs: 5, maxRetryDelayMs: 20 });
  const writer = new AuditWriter({
    sessionId: SID, clusterName: "c1", stream, makeEvent: desktopRecordingEvent, log: quiet, ...config,
  });
  return { handle, stream, writer };
}

const move = (x: number): Uint8Array => Uint8Array.of(3, 0, 0, (x >> 8) & 0xff, x & 0xff, 0, 0, 0, 9);

describe("stamping", () => {
  test("desktop: index from 0 over all events, delay from the first TDP message, wall-clock time", async () => {
    const { handle, writer } = setup();
    const start = { ...blankMetadata(), type: EventType.DesktopClipboardSend, user: "u", login: "l", sessionId: "", localAddr: "", remoteAddr: "", protocol: "tdp", desktopAddr: "", desktopName: "", length: 1 } as const;
    const stamped = await writer.emit({ ...start }, 1_000_000);
    expect(stamped).toMatchObject({ index: 0, sessionId: SID, clusterName: "c1" });
    expect(stamped.id).toMatch(/^[0-9a-f-]{36}$/);
    await writer.write(move(1), 1_000_250.4); // first TDP message: delay 0 even though the session began 250 ms earlier
    await writer.write(move(2), 1_000_400);
    await writer.write(move(3), 1_000_390); // the clock stepped back: delay must not
    await writer.complete();
    const { events } = parseProtostream(handle.bytes());
    expect(events.map((e) => e.index)).toEqual([0, 1, 2, 3]);
    const recs = events.filter((e) => e.type === EventType.DesktopRecording);
    expect(recs.map((e) => e.delayMs)).toEqual([0, 150, 150]);
    expect(recs.map((e) => e.time.getTime())).toEqual([1_000_250, 1_000_400, 1_000_390]);
    expect(recs.every((e) => e.id === "" && e.clusterName === "c1")).toBe(true);
  });

  test("SSH: the same writer makes SessionPrint with chunk index, offset and bytes; big output is chunked under 64 KiB", async () => {
    const { handle, writer } = setup({ makeEvent: sessionPrintEvent, splitOversize: splitPrintData });
    const text = (s: string): Uint8Array => new TextEncoder().encode(s);
    await writer.write(text("$ ls\r\n"), 5000);
    await writer.write(text("a b c\r\n"), 5040);
    const big = new Uint8Array(150_000).map((_, i) => 32 + (i % 90));
    await writer.write(big, 5100);
    await writer.complete();
    const { events } = parseProtostream(handle.bytes());
    const prints = events.filter((e): e is SessionPrintEvent => e.type === EventType.SessionPrint);
    expect(prints.length).toBe(2 + Math.ceil(150_000 / writer.maxPayloadBytes));
    expect(prints.map((p) => p.chunkIndex)).toEqual(prints.map((_, i) => i));
    expect(prints.slice(0, 3).map((p) => [p.offset, p.bytes, p.delayMs])).toEqual([[0, 6, 0], [6, 7, 40], [13, writer.maxPayloadBytes, 100]]);
    const rebuilt = Buffer.concat(prints.slice(2).map((p) => p.data));
    expect(rebuilt.equals(Buffer.from(big))).toBe(true);
    expect(writer.stats().oversizeSplit).toBe(1);
    expect(writer.maxPayloadBytes).toBeLessThan(MAX_RECORD_BYTES);
  });
});

describe("storage trouble", () => {
  const tight = { maxBufferedEvents: 4, backoffTimeoutMs: 40, backoffDurationMs: 250 };

  test("async: when the buffer stays full past the timeout, events are lost and counted; the session goes on", async () => {
    const { handle, writer } = setup({ ...tight, mode: "async" });
    handle.stall();
    for (let i = 0; i < 4; i++) await writer.write(move(i)); // fills the buffer (the first part hangs in append)
    const t0 = performance.now();
    await writer.write(move(4)); // blocks for the timeout, then is dropped
    expect(performance.now() - t0).toBeGreaterThanOrEqual(35);
    const t1 = performance.now();
    for (let i = 5; i < 10; i++) await writer.write(move(i)); // in backoff: dropped at once
    expect(performance.now() - t1).toBeLessThan(30);
    expect(writer.stats()).toMatchObject({ lost: 6, accepted: 4, slowWrites: 1, inBackoff: true });
    handle.release();
    await until(() => writer.stats().buffered === 0);
    // Storage took the held part: the backoff ends at once, not when its 250 ms run out.
    expect(writer.stats().inBackoff).toBe(false);
    await writer.write(move(10));
    expect(writer.stats().lost).toBe(6);
    await writer.complete();
    const { events, stats } = parseProtostream(handle.bytes());
    // Lost events keep their index (as in Teleport), so the gap shows where recording stopped.
    expect(events.map((e) => e.index)).toEqual([0, 1, 2, 3, 10]);
    expect(stats.outOfOrderEvents).toBe(1);
  });

  test("sync: the writer refuses instead of losing, so the caller can end the session", async () => {
    const { handle, writer } = setup({ ...tight, mode: "sync" });
    handle.stall();
    for (let i = 0; i < 4; i++) await writer.write(move(i));
    await expect(writer.write(move(4))).rejects.toBeInstanceOf(RecordingRefusedError);
    await expect(writer.write(move(5))).rejects.toThrow(/backoff/);
    expect(writer.stats()).toMatchObject({ lost: 0, refused: 2, accepted: 4 });
    handle.release();
    await writer.complete();
    expect(parseProtostream(handle.bytes()).events.map((e) => e.index)).toEqual([0, 1, 2, 3]);
  });

  test("backoff lasts only while storage fails: the stream's retry is the probe, whatever the backoff period", async () => {
    const states: string[] = [];
    const { handle, writer } = setup({
      maxBufferedEvents: 4, backoffTimeoutMs: 40, backoffDurationMs: 60_000, onStorageState: (state) => states.push(state),
    });
    handle.failing = true;
    for (let i = 0; i < 4; i++) await writer.write(move(i));
    await writer.write(move(4)); // waits out the timeout, then the writer backs off for (at most) a minute
    await writer.write(move(5));
    expect(writer.stats()).toMatchObject({ lost: 2, inBackoff: true });
    await until(() => states.length === 1);
    handle.failing = false;
    await until(() => !writer.stats().inBackoff, 3000); // the next retry (≤ 20 ms here) heals it
    expect(states).toEqual(["failing", "recovered"]);
    await writer.write(move(6));
    await writer.complete();
    expect(parseProtostream(handle.bytes()).events.map((e) => e.index)).toEqual([0, 1, 2, 3, 6]);
  });

  for (const mode of ["async", "sync"] as const) {
    test(`${mode}: an essential event (the session end) is neither dropped nor refused in backoff; it waits for storage`, async () => {
      const { handle, stream, writer } = setup({ maxBufferedEvents: 2, backoffTimeoutMs: 30, backoffDurationMs: 60_000, mode });
      handle.stall();
      await writer.write(move(0));
      await writer.write(move(1));
      await writer.write(move(2)).catch((err: unknown) => expect(err).toBeInstanceOf(RecordingRefusedError));
      expect(writer.stats().inBackoff).toBe(true);
      const end = { ...blankMetadata(), type: EventType.DesktopClipboardSend, user: "u", login: "l", sessionId: "", localAddr: "", remoteAddr: "", protocol: "tdp", desktopAddr: "", desktopName: "", length: 0 } as const;
      const stamped = await writer.emit({ ...end }, Date.now(), { essential: true });
      expect(stamped.index).toBe(3);
      const completed = writer.complete();
      await until(() => stream.status.state === "completing");
      handle.release(); // storage comes back while the writer completes
      await completed;
      const { events } = parseProtostream(handle.bytes());
      expect(events.map((e) => e.index)).toEqual([0, 1, 3]);
      expect(events.at(-1)?.type).toBe(EventType.DesktopClipboardSend);
      expect(writer.stats().lost + writer.stats().refused).toBe(1);
    });
  }

  test("a failing store is retried: nothing is lost while the buffer holds, and the file has every event once", async () => {
    const { handle, writer } = setup({ maxBufferedEvents: 1000, backoffTimeoutMs: 1000 });
    handle.failing = true;
    for (let i = 0; i < 20; i++) await writer.write(move(i), 1000 + i);
    await until(() => handle.failures >= 2);
    handle.failing = false;
    for (let i = 20; i < 30; i++) await writer.write(move(i), 1000 + i);
    await writer.complete();
    const { events, stats } = parseProtostream(handle.bytes());
    expect(events.map((e) => e.index)).toEqual([...Array(30).keys()]);
    expect(stats.skippedEvents).toBe(0);
    expect(writer.stats()).toMatchObject({ lost: 0, buffered: 0, lastDurableIndex: 29 });
  });

  test("a slow store with room in the buffer loses nothing and batches appends", async () => {
    const { handle, writer } = setup({ maxBufferedEvents: 1000 });
    // The store holds its first append until every event is written: all that came meanwhile goes out together.
    handle.stall();
    for (let turn = 0; turn < 10; turn++) {
      for (let i = 0; i < 20; i++) await writer.write(move(turn * 20 + i));
      await until(() => handle.stalledAppends === 1);
    }
    handle.release();
    await writer.complete();
    expect(parseProtostream(handle.bytes()).events.length).toBe(200);
    expect(handle.appends).toBeLessThanOrEqual(2);
    expect(writer.stats().lost).toBe(0);
  });
});
