// Every route asks here who the caller is and whether they may do what they ask.
import type { Authenticator, Principal } from "../auth/principal.ts";
import { forbidden, unauthenticated } from "./errors.ts";

/** The caller, or a 401 when the request carries no valid credential. */
export async function requirePrincipal(auth: Authenticator, request: Request): Promise<Principal> {
  const p = await auth.authenticate(request);
  if (!p) throw unauthenticated();
  return p;
}

/** The caller, or 401/403 unless `allowed(principal)`. */
export async function requireAllowed(
  auth: Authenticator,
  request: Request,
  allowed: (p: Principal) => boolean,
  what: string,
): Promise<Principal> {
  const p = await requirePrincipal(auth, request);
  if (!allowed(p)) throw forbidden(what);
  return p;
}
