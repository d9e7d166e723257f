// Sends TDP messages into the desktop ingest WebSocket the way a desktop service would, and keeps what
// the server says back (alerts, close code and reason).
import { decodeFrame } from "../../src/tdp/eras.ts";
import { MessageType } from "../../src/tdp/messages.ts";
import type { TdpcapRecord } from "../../src/tdp/tdpcap.ts";

export interface IngestParams {
  desktop: string;
  user: string;
  login?: string;
  addr?: string;
  session_id?: string;
}

export class IngestClient {
  readonly alerts: string[] = [];
  /** Replies that came as TDPB (the server answers in the sender's era). */
  tdpbReplies = 0;

  closeCode: number | null = null;
  closeReason = "";
  private readonly closed: Promise<void>;

  private constructor(private readonly ws: WebSocket) {
    ws.binaryType = "arraybuffer";
    ws.addEventListener("message", (e) => {
      if (!(e.data instanceof ArrayBuffer)) return;
      const bytes = new Uint8Array(e.data);
      if (bytes[0] === 0) this.tdpbReplies++;
      // legacy or TDPB, in the legacy model
      for (const msg of decodeFrame(bytes).messages) if (msg.type === MessageType.Alert) this.alerts.push(msg.message);
    });
    this.closed = new Promise((resolve) =>
      ws.addEventListener("close", (e) => {
        this.closeCode = e.code;
        this.closeReason = e.reason;
        resolve();
      }),
    );
  }

  static async connect(baseUrl: string, token: string | null, params: IngestParams): Promise<IngestClient> {
    const q = new URLSearchParams({ login: "Administrator", ...params } as Record<string, string>);
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/v1/ingest/desktop?${q}`, { headers } as unknown as string[]);
    const client = new IngestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener("open", () => resolve());
      ws.addEventListener("error", () => reject(new Error("ingest websocket refused")));
    });
    return client;
  }

  send(data: Uint8Array | string): void {
    this.ws.send(data);
  }

  /** Sends records paced by their delays divided by `speed` (Infinity: as fast as possible). */
  async replay(records: readonly TdpcapRecord[], speed = Infinity): Promise<void> {
    const t0 = performance.now();
    for (const r of records) {
      if (Number.isFinite(speed)) {
        const due = r.delayMs / speed - (performance.now() - t0);
        if (due > 2) await Bun.sleep(due);
      }
      this.ws.send(r.data);
    }
  }

  async close(): Promise<void> {
    this.ws.close(1000, "done");
    await this.closed;
  }

  waitClosed(): Promise<void> {
    return this.closed;
  }
}
