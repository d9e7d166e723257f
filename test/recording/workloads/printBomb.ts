// A well-formed protostream part that inflates to `mib` MiB of print records, streamed through
// readProtostream; run in a fresh process by protostreamLimits.test.ts to measure its memory alone.
import { readProtostream } from "../../../src/recording/protostream.ts";
import { printBombPart } from "../../support/bombs.ts";

export async function streamPrintBomb(mib: number) {
  const bomb = printBombPart(mib * 1024 * 1024);
  const reader = readProtostream(bomb);
  const types = new Set<string>();
  let yielded = 0;
  for await (const event of reader) {
    types.add(event.type);
    yielded++;
  }
  return { bombBytes: bomb.length, yielded, types: [...types], totalEvents: reader.stats.totalEvents, skippedEvents: reader.stats.skippedEvents };
}
