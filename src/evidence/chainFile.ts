// Reading and checking a stored hash chain (evidence/<id>/chain.jsonl): every line's signature, its link
// recomputed from the one before, parts numbered from 0 and laid end to end.
import type { KeyObject } from "node:crypto";
import { type ChainLine, genesisLink, linkMessage, nextLink, toHex } from "./chainLink.ts";
import { signatureValid } from "./signingKey.ts";

export interface ChainProblem {
  part: number | null;
  message: string;
}

export interface ChainCheck {
  /** The lines that parsed, in order (those after a break still listed, to locate parts). */
  lines: ChainLine[];
  /** Parts verified in an unbroken run from part 0. */
  verifiedParts: number;
  /** The last link of that run, hex (null before any). */
  head: string | null;
  problems: ChainProblem[];
}

const HEX64 = /^[0-9a-f]{64}$/;

function parseLine(text: string): ChainLine | null {
  try {
    const v = JSON.parse(text) as Partial<ChainLine>;
    const ints = [v.part, v.offset, v.length].every((n) => Number.isSafeInteger(n) && (n as number) >= 0);
    if (!ints || !HEX64.test(v.sha256 ?? "") || !HEX64.test(v.link ?? "") || typeof v.sig !== "string" || typeof v.key !== "string") return null;
    return v as ChainLine;
  } catch {
    return null;
  }
}

export function checkChain(bytes: Uint8Array, sessionId: string, key: KeyObject): ChainCheck {
  const text = new TextDecoder().decode(bytes);
  const rows = text.split("\n");
  // Every line ends with a newline: the last piece is "" or, while a live chain is being appended, half a line.
  rows.pop();
  const lines: ChainLine[] = [];
  const problems: ChainProblem[] = [];
  let previous = genesisLink(sessionId);
  let verifiedParts = 0;
  let head: string | null = null;
  let broken = false;
  let expectedOffset = 0;
  rows.forEach((row, i) => {
    const line = parseLine(row);
    if (line === null) {
      problems.push({ part: i, message: `chain line ${i + 1} is not a valid chain entry` });
      broken = true;
      return;
    }
    lines.push(line);
    const fail = (message: string) => {
      problems.push({ part: line.part, message });
      broken = true;
    };
    if (line.part !== i) return fail(`chain line ${i + 1} is for part ${line.part}, expected part ${i} (a part was dropped or reordered)`);
    if (line.offset !== expectedOffset) fail(`part ${i} starts at byte ${line.offset}, expected ${expectedOffset} (the parts are not laid end to end)`);
    expectedOffset = line.offset + line.length;
    const link = nextLink(previous, Buffer.from(line.sha256, "hex"), line.offset, line.length);
    if (toHex(link) !== line.link) fail(`part ${i}: its chain link does not follow from the previous one (the chain was edited)`);
    else if (!signatureValid(key, linkMessage(sessionId, line.part, line.link), line.sig)) fail(`part ${i}: the link's signature does not verify`);
    previous = Buffer.from(line.link, "hex");
    if (!broken) {
      verifiedParts = i + 1;
      head = line.link;
    }
  });
  return { lines, verifiedParts, head, problems };
}
