// Login, "who am I", users and tokens: request bodies and answers of the account routes.
import { type Static, t } from "elysia";
import { literals } from "./common.ts";

const name = (description: string) => t.String({ maxLength: 256, description });
const Role = literals(["admin", "auditor", "user", "agent"]);

/** Also taken as an HTML form post (then answered with redirects); `name` and `user` are accepted for `username`. */
export const LoginBody = t.Object({
  username: t.Optional(name("the user name")),
  name: t.Optional(name("same as username")),
  user: t.Optional(name("same as username")),
  password: t.Optional(t.String({ maxLength: 1024 })),
  next: t.Optional(t.String({ maxLength: 2048, description: "form posts: where to go after logging in (a path on this site)" })),
});
export type LoginBody = Static<typeof LoginBody>;

export const Me = t.Object({
  name: t.String(),
  role: Role,
  via: t.Union([t.Literal("token"), t.Literal("cookie")]),
});
export type Me = Static<typeof Me>;

export const Ok = t.Object({ ok: t.Literal(true) });

export const User = t.Object({ name: t.String(), role: Role, created: t.String({ format: "date-time" }) });
export type User = Static<typeof User>;
export const UserList = t.Object({ items: t.Array(User) });

export const NewUser = t.Object({
  name: t.Optional(name("letters, digits, . _ @ -")),
  username: t.Optional(name("same as name")),
  password: t.Optional(t.String({ maxLength: 1024 })),
  role: t.Optional(t.String({ maxLength: 32, description: "admin, auditor or user (default user)" })),
});
export type NewUser = Static<typeof NewUser>;

export const NewRole = t.Object({ role: t.Optional(t.String({ maxLength: 32, description: "admin, auditor or user" })) });

export const NewPassword = t.Object({ password: t.Optional(t.String({ maxLength: 1024 })) });

export const UserParams = t.Object({ name: t.String({ minLength: 1, maxLength: 256 }) });
export const TokenParams = t.Object({ id: t.String({ minLength: 1, maxLength: 256 }) });

export const TokenInfo = t.Object({
  id: t.String(),
  name: t.String(),
  role: Role,
  created: t.String({ format: "date-time" }),
  last_used: t.Union([t.String({ format: "date-time" }), t.Null()]),
  revoked: t.Boolean(),
  owner: t.Union([t.String(), t.Null()], { description: "the user who made it (it ends with them); null: made with the configured admin token" }),
});
export type TokenInfo = Static<typeof TokenInfo>;
export const TokenList = t.Object({ items: t.Array(TokenInfo) });

export const NewToken = t.Object({
  name: t.Optional(name("what the token is for")),
  role: t.Optional(t.String({ maxLength: 32, description: "agent (default), admin, auditor or user" })),
});
export type NewToken = Static<typeof NewToken>;

/** The token's secret is in this answer only. */
export const TokenCreated = t.Object({ id: t.String(), name: t.String(), role: Role, token: t.String({ description: "the bearer token; shown once" }) });
export type TokenCreated = Static<typeof TokenCreated>;
