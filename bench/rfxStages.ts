// Where a RemoteFX decode's CPU goes, stage by stage, on the tiles of real messages: the entropy decode (RLGR)
// alone, the whole tile decode (RLGR, dequantisation, inverse DWT) and the colour conversion into a screen,
// each run over every tile of the messages. Uses the decoder's own stage modules; only the walk over the
// message blocks to find the tiles is here.
import { rlgrDecode } from "../src/rdp/rfx/rlgr.ts";
import { type QuantValues, type TileComponent, TileDecoder } from "../src/rdp/rfx/tile.ts";
import type { RfxMessage } from "../test/rdp/reference/freerdp.ts";

interface Tile {
  mode: number;
  data: Uint8Array;
  components: [TileComponent, TileComponent, TileComponent];
}

/** Every tile of `messages` with its quantisation sets resolved (entropy mode from the tileset, RLGR3 if unset). */
export function rfxTiles(messages: RfxMessage[]): Tile[] {
  const tiles: Tile[] = [];
  for (const { data } of messages) {
    const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (let pos = 0; pos + 6 <= data.length; ) {
      const len = v.getUint32(pos + 2, true);
      if (len < 6) break;
      if (v.getUint16(pos, true) === 0xccc7) {
        const mode = (v.getUint16(pos + 12, true) >> 10) & 0xf || 4;
        const numQuant = data[pos + 14]!;
        const numTiles = v.getUint16(pos + 16, true);
        const quants: QuantValues[] = [];
        for (let q = 0; q < numQuant; q++) {
          const values = new Uint8Array(10);
          for (let b = 0; b < 5; b++) {
            values[b * 2] = data[pos + 22 + q * 5 + b]! & 0xf;
            values[b * 2 + 1] = data[pos + 22 + q * 5 + b]! >> 4;
          }
          quants.push(values);
        }
        let t = pos + 22 + numQuant * 5;
        for (let i = 0; i < numTiles; i++) {
          const yLen = v.getUint16(t + 13, true);
          const cbLen = v.getUint16(t + 15, true);
          const base = t + 19;
          tiles.push({
            mode,
            data,
            components: [
              { offset: base, length: yLen, quant: quants[data[t + 6]!]! },
              { offset: base + yLen, length: cbLen, quant: quants[data[t + 7]!]! },
              { offset: base + yLen + cbLen, length: v.getUint16(t + 17, true), quant: quants[data[t + 8]!]! },
            ],
          });
          t += v.getUint32(t + 2, true);
        }
      }
      pos += len;
    }
  }
  return tiles;
}

/** Mean CPU ms per pass of each stage over all `tiles`, best of `repeats` passes each. */
export function stageCosts(tiles: Tile[], repeats: number): { rlgr: number; tile: number; colour: number } {
  const decoder = new TileDecoder();
  const coefficients = new Int16Array(4096);
  const noShifts = new Uint8Array(4096);
  const screen = new Uint32Array(1920 * 64);
  const best = (run: () => void): number => {
    run(); // warm-up
    let min = Infinity;
    for (let i = 0; i < repeats; i++) {
      const cpu0 = process.cpuUsage();
      run();
      const cpu = process.cpuUsage(cpu0);
      min = Math.min(min, (cpu.user + cpu.system) / 1000);
    }
    return min;
  };
  const rlgr = best(() => {
    for (const t of tiles) for (const c of t.components) rlgrDecode(t.mode, t.data, c.offset, c.length, coefficients, noShifts);
  });
  const tile = best(() => {
    for (const t of tiles) decoder.decode(t.mode, t.data, t.components);
  });
  const colour = best(() => {
    for (let i = 0; i < tiles.length; i++) decoder.draw(screen, (i % 30) * 64, 1920, 0, 0, 64, 64);
  });
  return { rlgr, tile, colour };
}
