// Seeded mutations for the fuzz suite: the same seed gives the same inputs, so a failure can be replayed.

/** mulberry32: small, fast, good enough to pick bytes and offsets. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Mutation = "bitflip" | "byte" | "truncate" | "extend" | "length" | "splice" | "zero-run";
export const MUTATIONS: Mutation[] = ["bitflip", "byte", "truncate", "extend", "length", "splice", "zero-run"];

/** One mutated copy of `input` (`other` is a second input for splices). */
export function mutate(input: Uint8Array, other: Uint8Array, random: () => number, kind: Mutation): Uint8Array {
  const pick = (n: number): number => Math.floor(random() * n);
  const out = input.slice();
  switch (kind) {
    case "bitflip": {
      const flips = 1 + pick(4);
      for (let i = 0; i < flips && out.length > 0; i++) out[pick(out.length)] ^= 1 << pick(8);
      return out;
    }
    case "byte": {
      if (out.length > 0) out[pick(Math.min(out.length, 32))] = pick(256); // mostly the header fields
      return out;
    }
    case "truncate":
      return out.subarray(0, pick(out.length));
    case "extend": {
      const extra = new Uint8Array(1 + pick(64)).map(() => pick(256));
      const joined = new Uint8Array(out.length + extra.length);
      joined.set(out);
      joined.set(extra, out.length);
      return joined;
    }
    case "length": {
      // A u32/u64-ish length field set to something wrong: 0, huge, or off by a little.
      if (out.length < 5) return out;
      const at = pick(Math.min(out.length - 4, 40));
      const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
      const choices = [0, 0xffffffff, 0x7fffffff, view.getUint32(at) + 1, Math.max(0, view.getUint32(at) - 1), pick(1 << 24)];
      view.setUint32(at, choices[pick(choices.length)] >>> 0);
      return out;
    }
    case "splice": {
      const cut = pick(out.length + 1);
      const from = pick(other.length + 1);
      const joined = new Uint8Array(cut + other.length - from);
      joined.set(out.subarray(0, cut));
      joined.set(other.subarray(from), cut);
      return joined;
    }
    case "zero-run": {
      const start = pick(out.length + 1);
      out.fill(0, start, Math.min(out.length, start + 1 + pick(256)));
      return out;
    }
  }
}
