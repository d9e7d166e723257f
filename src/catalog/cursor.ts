// Keyset cursors for the recordings list: the (start, id) of the last item of a page, opaque to
// clients. Rows inserted between pages cannot shift or repeat items, unlike offsets.
import { CatalogError } from "./catalog.ts";

export interface CursorPosition {
  startMs: number;
  id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.startMs, position.id])).toString("base64url");
}

export function decodeCursor(cursor: string): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new CatalogError(`invalid cursor "${cursor.slice(0, 40)}"`);
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !Number.isSafeInteger(parsed[0]) || typeof parsed[1] !== "string") {
    throw new CatalogError(`invalid cursor "${cursor.slice(0, 40)}"`);
  }
  return { startMs: parsed[0], id: parsed[1] };
}
