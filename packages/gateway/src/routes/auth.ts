import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { userAddress } from "../http/auth.js";
import { type RouteDeps, typed } from "./deps.js";
import { EmptyBodySchema, ERROR_RESPONSES, MessageSchema, ProfileSchema } from "./schemas.js";

/** `/auth/*`: login (creates the user on first sight) and a stateless logout. */
export function authRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const r = typed(app);
  const security = [{ signedUser: [] }];

  r.post(
    "/auth/login",
    {
      preValidation: deps.auth.user,
      schema: {
        tags: ["auth"],
        summary: "Log in with a signed request; creates the user on first login",
        security,
        body: EmptyBodySchema,
        response: { 200: z.object({ user: ProfileSchema }), ...ERROR_RESPONSES },
      },
    },
    async (request) => ({ user: await deps.services.users.login(userAddress(request)) }),
  );

  r.post(
    "/auth/logout",
    {
      preValidation: deps.auth.user,
      schema: {
        tags: ["auth"],
        summary: "Log out (stateless: every request is signed, nothing to revoke)",
        security,
        body: EmptyBodySchema,
        response: { 200: MessageSchema, ...ERROR_RESPONSES },
      },
    },
    () => ({ message: "Logged out. Requests are signed one by one, so there is no session to revoke." }),
  );
}
