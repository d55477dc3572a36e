// The token operation: client credentials in, a bearer token out.
import type { Authority } from "../auth.js";
import { UnauthorizedError } from "../errors.js";
import type { OperationHandlers } from "./types.js";

/** Handler of `getToken`. */
export function authHandlers(auth: Pick<Authority, "issue">): Pick<OperationHandlers, "getToken"> {
  return {
    getToken: async ({ body }) => {
      const token = auth.issue(body.client_id, body.client_secret);
      if (!token) throw new UnauthorizedError("The client credentials are not valid.");
      return token;
    },
  };
}
