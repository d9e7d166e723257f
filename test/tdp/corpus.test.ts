import { expect, test } from "bun:test";
import { decodeMessage, encodeMessage, messageTypeName, pngInfo, validateTile } from "../../src/tdp/codec.ts";
import { MessageType as T, type TdpMessage } from "../../src/tdp/messages.ts";
import { readTdpcap, writeTdpcap } from "../../src/tdp/tdpcap.ts";
import { captureBytes, summary } from "./corpus.ts";

const records = readTdpcap(captureBytes);
const decoded: TdpMessage[] = records.map((r) => decodeMessage(r.data));

test("the capture has the records its summary lists", () => {
  expect(records.length).toBe(summary.records);
  expect(records.at(-1)?.delayMs).toBe(summary.duration_ms);
  expect(decoded[0]).toEqual({ type: T.ClientScreenSpec, width: summary.width, height: summary.height });
});

test("every message decodes to the summary's counts per type", () => {
  const counts: Record<string, number> = {};
  for (const m of decoded) counts[messageTypeName(m.type)] = (counts[messageTypeName(m.type)] ?? 0) + 1;
  const expected = Object.fromEntries(Object.entries(summary.message_counts).map(([name, c]) => [name, c.count]));
  expect(counts).toEqual(expected);
});

test("every message re-encodes byte-identically", () => {
  for (const [i, m] of decoded.entries()) expect(encodeMessage(m)).toEqual(records[i].data);
});

test("every tile passes validateTile; colour types match the summary", () => {
  let rgb = 0;
  let rgba = 0;
  let tilesSeen = 0;
  for (const m of decoded) {
    if (m.type !== T.PNGFrame && m.type !== T.PNG2Frame) continue;
    validateTile(m);
    tilesSeen++;
    const { colorType } = pngInfo(m.png);
    if (colorType === 2) rgb++;
    if (colorType === 6) rgba++;
  }
  expect([tilesSeen, rgb, rgba]).toEqual([summary.tiles.total, summary.tiles.rgb_png, summary.tiles.rgba_png]);
});

test("the clipboard and alert key events carry their content", () => {
  const clip = decoded.find((m) => m.type === T.ClipboardData);
  expect(new TextDecoder().decode(clip?.type === T.ClipboardData ? clip.data : undefined)).toBe(summary.clipboard_events[0].text);
  const alert = decoded.find((m) => m.type === T.Alert);
  expect(alert).toEqual({ type: T.Alert, message: summary.alerts[0].message, severity: summary.alerts[0].severity });
});

test("writeTdpcap rebuilds the file byte for byte", () => {
  expect(writeTdpcap(records)).toEqual(captureBytes);
});
