// Who this node is in a cluster: its unique name and the URL other nodes reach it at. Fixed once the server
// listens (the defaults need the port, which PORT=0 only gives then); before that the name is provisional.
import { defaultNodeName } from "../config.ts";

export class NodeIdentity {
  #name: string;
  #url: string;
  #fixed = false;

  constructor(
    private readonly configuredName: string | null,
    private readonly configuredUrl: string | null,
    port: number,
  ) {
    this.#name = configuredName ?? defaultNodeName(port);
    this.#url = configuredUrl ?? `http://127.0.0.1:${port}`;
  }

  /** The name live sessions record as their owner. */
  get name(): string {
    return this.#name;
  }

  get url(): string {
    return this.#url;
  }

  /** True when the name is known before listening (configured, or a fixed port). */
  get knownBeforeListen(): boolean {
    return this.configuredName !== null || !this.#name.endsWith(":0");
  }

  /** Settles the defaults on the port actually listened on. */
  listening(port: number): void {
    if (this.#fixed) return;
    this.#fixed = true;
    if (this.configuredName === null) this.#name = defaultNodeName(port);
    if (this.configuredUrl === null) this.#url = `http://127.0.0.1:${port}`;
  }
}
