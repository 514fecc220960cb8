import type { FastifyDynamicSwaggerOptions } from "@fastify/swagger";

/** `@fastify/swagger` options: an OpenAPI 3.1 document with the three auth methods of SPEC section 2. */
export function openApiOptions(version: string): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Flowork Gateway API",
        version,
        description:
          'REST API of the Flowork gateway. Errors are {"error": {code, message, details?}}. User routes are ' +
          "signed: X-User-Address, X-Signed-Message (`Flowork API Authentication: <timestamp_ms> | address=... | " +
          "scope=<METHOD> <path with query> | nonce=... | payload=<sha256 of the raw body>`) and X-Signature " +
          "(EIP-191 personal_sign).",
      },
      components: {
        securitySchemes: {
          signedUser: {
            type: "apiKey",
            in: "header",
            name: "X-Signature",
            description:
              "With X-User-Address and X-Signed-Message: a signed message per request (SPEC section 1).",
          },
          engineToken: { type: "apiKey", in: "header", name: "X-Engine-Token" },
          apiKey: { type: "apiKey", in: "header", name: "X-API-Key" },
        },
      },
    },
  };
}
