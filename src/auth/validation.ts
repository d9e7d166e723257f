// What names, passwords and roles the account store accepts.
import { AuthInputError } from "./errors.ts";
import { isRole, USER_ROLES, type Role } from "./principal.ts";

const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
export const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_LENGTH = 1024;

export function checkUserName(name: unknown): string {
  if (typeof name !== "string" || !USER_NAME.test(name)) {
    throw new AuthInputError("user name must be 1-64 characters: letters, digits, '.', '_', '@', '-' (not first)");
  }
  return name;
}

export function checkPassword(password: unknown): string {
  if (typeof password !== "string" || password.length < MIN_PASSWORD_LENGTH) {
    throw new AuthInputError(`password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) throw new AuthInputError("password is too long");
  return password;
}

export function checkUserRole(role: unknown): Role {
  if (!isRole(role) || !USER_ROLES.includes(role)) {
    throw new AuthInputError(`role of a user must be one of ${USER_ROLES.join(", ")}`);
  }
  return role;
}

export function checkTokenRole(role: unknown): Role {
  if (!isRole(role)) throw new AuthInputError("role must be one of admin, auditor, user, agent");
  return role;
}

export function checkTokenName(name: unknown): string {
  if (typeof name !== "string" || name.trim() === "" || name.length > 64 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new AuthInputError("token name must be 1-64 printable characters");
  }
  return name.trim();
}

export const MIN_ADMIN_TOKEN_LENGTH = 32;

/** Refuses a configured admin token too short to resist guessing. */
export function checkAdminToken(token: string): string {
  if (token.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new Error(
      `DESKREEL_ADMIN_TOKEN is ${token.length} characters long; it must have at least ${MIN_ADMIN_TOKEN_LENGTH} ` +
        "(for example: openssl rand -base64 32), or leave it unset to have one generated and printed",
    );
  }
  return token;
}
