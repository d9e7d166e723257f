// A WebSocket upgrade request sent over a plain TCP socket, as a browser would send it (Origin, Cookie): the
// server's answer is read as bytes, so a refusal's status and JSON body can be checked.
import { connect } from "node:net";

export interface UpgradeAnswer {
  status: number;
  headers: string;
  body: string;
}

export function tryUpgrade(baseUrl: string, path: string, headers: Record<string, string>): Promise<UpgradeAnswer> {
  const url = new URL(baseUrl);
  const lines = [
    `GET ${path} HTTP/1.1`,
    `Host: ${url.host}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64")}`,
    "Sec-WebSocket-Version: 13",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let data = "";
    const timer = setTimeout(() => finish(), 5000);
    function finish(): void {
      clearTimeout(timer);
      socket.destroy();
      const end = data.indexOf("\r\n\r\n");
      const head = end < 0 ? data : data.slice(0, end);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      if (!status) reject(new Error(`no HTTP answer to the upgrade: ${JSON.stringify(data.slice(0, 200))}`));
      else resolve({ status, headers: head, body: end < 0 ? "" : data.slice(end + 4) });
    }
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
      const end = data.indexOf("\r\n\r\n");
      if (end < 0) return;
      // A 101 has no body; a refusal is complete once Content-Length bytes are in.
      const length = Number(/content-length: *(\d+)/i.exec(data.slice(0, end))?.[1] ?? 0);
      if (data.startsWith("HTTP/1.1 101") || data.length - end - 4 >= length) finish();
    });
    socket.on("error", reject);
    socket.on("close", () => data && finish());
    socket.write(lines.join("\r\n") + "\r\n\r\n");
  });
}
