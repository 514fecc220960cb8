import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { userAddress } from "../http/auth.js";
import { type RouteDeps, typed } from "./deps.js";
import {
  ERROR_RESPONSES,
  JsonObjectSchema,
  ProfilePatchSchema,
  ProfileSchema,
  PublicProfileSchema,
  TierSchema,
  Timestamp,
} from "./schemas.js";

const LicenseSchema = z.object({
  data: z.object({
    license_id: z.string(),
    public_address: z.string(),
    tier: TierSchema,
    issued_at: Timestamp,
    valid_until: Timestamp,
  }),
  signature: z.string().describe("Base64 Ed25519 over the JCS of data"),
});

/** `/user/profile`, `/user/preferences`, `/user/public/:x` and `/user/license`. */
export function userRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const r = typed(app);
  const { users, billing } = deps.services;
  const user = { preValidation: deps.auth.user };
  const security = [{ signedUser: [] }];

  r.get(
    "/user/profile",
    {
      ...user,
      schema: { tags: ["user"], security, response: { 200: ProfileSchema, ...ERROR_RESPONSES } },
    },
    (request) => users.profile(userAddress(request)),
  );

  r.patch(
    "/user/profile",
    {
      ...user,
      schema: {
        tags: ["user"],
        security,
        body: ProfilePatchSchema,
        response: { 200: ProfileSchema, ...ERROR_RESPONSES },
      },
    },
    (request) => users.updateProfile(userAddress(request), request.body),
  );

  r.get(
    "/user/preferences",
    {
      ...user,
      schema: { tags: ["user"], security, response: { 200: JsonObjectSchema, ...ERROR_RESPONSES } },
    },
    (request) => users.preferences(userAddress(request)),
  );

  r.patch(
    "/user/preferences",
    {
      ...user,
      schema: {
        tags: ["user"],
        summary: "JSON Merge Patch (RFC 7396) of the preferences object; at most 64 KiB merged",
        security,
        body: JsonObjectSchema,
        response: { 200: JsonObjectSchema, ...ERROR_RESPONSES },
      },
    },
    (request) => users.mergePreferences(userAddress(request), request.body),
  );

  r.get(
    "/user/public/:address_or_username",
    {
      schema: {
        tags: ["user"],
        summary: "Public part of a profile",
        params: z.strictObject({ address_or_username: z.string().min(1).max(64) }),
        response: { 200: PublicProfileSchema, ...ERROR_RESPONSES },
      },
    },
    (request) => users.publicProfile(request.params.address_or_username),
  );

  r.get(
    "/user/license",
    {
      ...user,
      schema: {
        tags: ["billing"],
        summary: "Signed license, verifiable offline with /system/info license_public_key",
        security,
        response: { 200: LicenseSchema, ...ERROR_RESPONSES },
      },
    },
    (request) => billing.license(userAddress(request)),
  );
}
