import { describe, expect, test } from "bun:test";
import { desktopRecordingEvent } from "../../src/recording/auditWriter.ts";
import { encodeOneOf } from "../../src/recording/events.ts";
import { parseProtostream } from "../../src/recording/protostream.ts";
import { SessionStream } from "../../src/recording/sessionStream.ts";
import type { EncodedEvent } from "../../src/recording/stream.ts";
import { MemoryAppendHandle, TroubledAppendHandle, until } from "./helpers.ts";

const quiet = (): void => {};

function encoded(index: number): EncodedEvent {
  const event = desktopRecordingEvent(Uint8Array.of(4, 0, 1));
  event.index = index;
  event.time = new Date(1_700_000_000_000 + index);
  return { index, type: event.type, bytes: encodeOneOf(event), receivedAt: performance.now() };
}

/** Counts appends in flight at once. */
class ConcurrencyProbe extends TroubledAppendHandle {
  inFlight = 0;
  maxInFlight = 0;
  /** While set, appends wait for it: what arrives meanwhile is known to arrive while an append is in flight. */
  gate: Promise<void> | null = null;
  override async append(data: Uint8Array): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.gate) await this.gate;
      await super.append(data);
    } finally {
      this.inFlight--;
    }
  }
}

describe("SessionStream", () => {
  test("events of one event-loop turn become one part; the next turn's events wait for the append in flight", async () => {
    const handle = new ConcurrencyProbe();
    const { promise: gate, resolve: openGate } = Promise.withResolvers<void>();
    handle.gate = gate;
    const stream = new SessionStream({ sessionId: "s1", handle, log: quiet });
    const confirmed: number[][] = [];
    stream.onDurable((batch) => confirmed.push(batch.map((e) => e.index)));
    for (let i = 0; i < 5; i++) stream.record(encoded(i)); // turn 1
    await Bun.sleep(1);
    expect(handle.inFlight).toBe(1);
    for (let i = 5; i < 8; i++) stream.record(encoded(i)); // arrives while part 1 is being appended
    await Bun.sleep(1);
    for (let i = 8; i < 10; i++) stream.record(encoded(i)); // also while part 1 is in flight
    expect(handle.inFlight).toBe(1);
    handle.gate = null;
    openGate();
    await stream.complete();
    expect(handle.maxInFlight).toBe(1);
    expect(confirmed).toEqual([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]);
    expect(stream.status).toMatchObject({ parts: 2, lastConfirmedIndex: 9, pendingEvents: 0, state: "complete", bytesWritten: handle.size });
    expect(handle.state).toBe("closed");
  });

  test("a big burst starts its first part before the turn ends (eagerPartBytes)", async () => {
    const handle = new ConcurrencyProbe();
    const stream = new SessionStream({ sessionId: "s-eager", handle, log: quiet, eagerPartBytes: 200 });
    for (let i = 0; i < 40; i++) stream.record(encoded(i)); // ~40 x 60 bytes in one turn
    expect(handle.inFlight).toBe(1); // already appending, inside the same turn
    await stream.complete();
    expect(handle.maxInFlight).toBe(1);
    const { events, stats } = parseProtostream(handle.bytes());
    expect(events.map((e) => e.index)).toEqual([...Array(40).keys()]);
    expect(stats.parts).toBe(2); // the eager part, then everything that arrived while it was written
  });

  test("a live session's object parses completely after every append", async () => {
    const handle = new MemoryAppendHandle();
    const stream = new SessionStream({ sessionId: "s2", handle, log: quiet });
    let next = 0;
    for (let turn = 0; turn < 6; turn++) {
      for (let i = 0; i < 3; i++) stream.record(encoded(next++));
      await until(() => stream.status.lastConfirmedIndex === next - 1);
      const { events, stats } = parseProtostream(handle.bytes());
      expect(events.length).toBe(next);
      expect(stats.truncatedAt).toBeNull();
    }
    await stream.complete();
  });

  test("complete() gives up on a store that never recovers, closing with what is durable", async () => {
    const handle = new TroubledAppendHandle();
    const stream = new SessionStream({ sessionId: "s3", handle, log: quiet, retryDelayMs: 5, completeTimeoutMs: 60 });
    stream.record(encoded(0));
    await until(() => stream.status.parts === 1);
    handle.failing = true;
    stream.record(encoded(1));
    await expect(stream.complete()).rejects.toThrow(/session s3 closed with 1 event\(s\) never stored/);
    expect(stream.status.failures).toBeGreaterThan(0);
    expect(parseProtostream(handle.bytes()).events.map((e) => e.index)).toEqual([0]);
  });
});
