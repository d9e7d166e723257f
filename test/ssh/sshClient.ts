// Sends terminal output and resizes into the SSH ingest WebSocket the way an SSH proxy would, and keeps
// what the server answers (error frames, close code).
export interface SshIngestParams {
  host: string;
  user: string;
  login: string;
  addr?: string;
  session_id?: string;
  cols?: string;
  rows?: string;
}

export class SshIngestClient {
  readonly errors: string[] = [];
  closeCode: number | null = null;
  closeReason = "";
  private readonly closed: Promise<void>;

  private constructor(private readonly ws: WebSocket) {
    ws.addEventListener("message", (e) => {
      if (typeof e.data !== "string") return;
      const parsed: unknown = JSON.parse(e.data);
      if (typeof parsed === "object" && parsed !== null && "error" in parsed) this.errors.push(String(parsed.error));
    });
    this.closed = new Promise((resolve) =>
      ws.addEventListener("close", (e) => {
        this.closeCode = e.code;
        this.closeReason = e.reason;
        resolve();
      }),
    );
  }

  static async connect(baseUrl: string, token: string | null, params: SshIngestParams): Promise<SshIngestClient> {
    const q = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/v1/ingest/ssh?${q}`, { headers } as unknown as string[]);
    const client = new SshIngestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener("open", () => resolve());
      ws.addEventListener("error", () => reject(new Error("ssh ingest websocket refused")));
    });
    return client;
  }

  output(data: Uint8Array | string): void {
    this.ws.send(typeof data === "string" ? new TextEncoder().encode(data) : data);
  }

  resize(cols: number, rows: number): void {
    this.ws.send(JSON.stringify({ resize: { cols, rows } }));
  }

  sendText(text: string): void {
    this.ws.send(text);
  }

  async close(): Promise<void> {
    this.ws.close(1000, "done");
    await this.closed;
  }

  waitClosed(): Promise<void> {
    return this.closed;
  }
}
