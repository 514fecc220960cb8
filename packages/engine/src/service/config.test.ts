import { describe, expect, it } from "vitest";
import { engineConfigFrom } from "./config.js";

describe("engineConfigFrom", () => {
  it("reads FLOWORK_ENGINE_DATABASE_URL, never the gateway's DATABASE_URL", () => {
    const url = "postgres://postgres@127.0.0.1:5432/flowork";
    expect(engineConfigFrom({}, { FLOWORK_ENGINE_DATABASE_URL: url }).databaseUrl).toBe(url);
    expect(engineConfigFrom({}, { DATABASE_URL: url }).databaseUrl).toBeUndefined();
    expect(engineConfigFrom({}, { FLOWORK_ENGINE_DATABASE_URL: "" }).databaseUrl).toBeUndefined();
  });
});
