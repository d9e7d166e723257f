// The account routes of the API (admins only): users, their passwords, and bearer tokens.
// The shapes are the server's route schemas (type-only: nothing of the server is bundled).
import type { TokenCreated, TokenInfo, User as ApiUser } from "../../../src/api/auth.ts";
import { fetchJson, sendJson } from "../lib/api.ts";

export type TokenRole = TokenInfo["role"];
/** Roles a person can hold (agents are tokens only). */
export type UserRole = Exclude<TokenRole, "agent">;
export type User = ApiUser;
export type Token = TokenInfo;
/** A new token with its secret: shown once, never stored by the server. */
export type NewToken = TokenCreated;

const userUrl = (name: string) => `/v1/users/${encodeURIComponent(name)}`;

export const listUsers = async (): Promise<User[]> => (await fetchJson<{ items: User[] }>("/v1/users")).items;
export const listTokens = async (): Promise<Token[]> => (await fetchJson<{ items: Token[] }>("/v1/tokens")).items;

export async function createUser(name: string, password: string, role: UserRole): Promise<void> {
  await sendJson<User>("POST", "/v1/users", { name, password, role });
}

export async function deleteUser(name: string): Promise<void> {
  await sendJson("DELETE", userUrl(name));
}

/** Changes a user's role; their browser sessions end (and, no longer an admin, the tokens they made). */
export async function setRole(name: string, role: UserRole): Promise<void> {
  await sendJson<User>("PATCH", userUrl(name), { role });
}

export async function setPassword(name: string, password: string): Promise<void> {
  await sendJson("POST", `${userUrl(name)}/password`, { password });
}

export async function createToken(name: string, role: TokenRole): Promise<NewToken> {
  const created = await sendJson<NewToken>("POST", "/v1/tokens", { name, role });
  if (!created) throw new Error("the server did not return the new token");
  return created;
}

export async function revokeToken(id: string): Promise<void> {
  await sendJson("DELETE", `/v1/tokens/${encodeURIComponent(id)}`);
}
