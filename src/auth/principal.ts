// Who is asking, and what each role may do. Routes ask these questions; they never compare role names themselves.

export type Role = "admin" | "auditor" | "user" | "agent";

export const ROLES: readonly Role[] = ["admin", "auditor", "user", "agent"];

/** Roles a person logging in can hold; `agent` belongs to tokens only (ingest agents never use the web UI). */
export const USER_ROLES: readonly Role[] = ["admin", "auditor", "user"];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export interface Principal {
  /** The user name (or the token's name for agents and scripts). */
  name: string;
  role: Role;
  via: "token" | "cookie";
  /** For a token: the user it belongs to (null: made with the configured admin token). */
  owner?: string | null;
  /** For a token this server issued: its id (the configured admin token has none). Sockets close when it is revoked. */
  tokenId?: string;
  /** For the login cookie: the SHA-256 of the session id. Sockets close when that session ends. */
  loginSession?: string;
}

/** May this principal see every recording (not just their own)? */
export function seesAllRecordings(p: Principal): boolean {
  return p.role === "admin" || p.role === "auditor";
}

/** May this principal see a recording with these participants? */
export function canSeeRecording(p: Principal, participants: readonly string[]): boolean {
  if (seesAllRecordings(p)) return true;
  return p.role === "user" && participants.includes(p.name);
}

export function canIngest(p: Principal): boolean {
  return p.role === "agent" || p.role === "admin";
}

export function canImport(p: Principal): boolean {
  return p.role === "admin";
}

export function canReadAuditLog(p: Principal): boolean {
  return p.role === "admin" || p.role === "auditor";
}

/** May this principal put recordings on legal hold, release them, and delete them by hand? */
export function canManageRecordings(p: Principal): boolean {
  return p.role === "admin";
}

/** May this principal create users and tokens? */
export function canManageUsers(p: Principal): boolean {
  return p.role === "admin";
}

/** May this principal see the cluster's nodes (GET /v1/cluster)? */
export function canSeeCluster(p: Principal): boolean {
  return p.role === "admin";
}

/** May this principal use the web UI and the read side of the API at all? Agents only ingest. */
export function canBrowse(p: Principal): boolean {
  return p.role !== "agent";
}

/** Anything that turns a request into a principal (bearer token or session cookie). */
export interface Authenticator {
  authenticate(request: Request): Promise<Principal | null>;
  /** The configured public origin (besides the server's own) whose pages may use the login cookie. */
  readonly publicOrigin?: string | null;
}
