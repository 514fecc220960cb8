import { FloworkError } from "@flowork/protocol";
import { describe, expect, it } from "vitest";
import { type AddressKind, checkTarget, classifyAddress, type LookupFn } from "./ssrf.js";

const fakeLookup =
  (table: Record<string, string[]>): LookupFn =>
  async (host) => {
    const found = table[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

async function refusal(promise: Promise<unknown>): Promise<FloworkError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FloworkError);
  return err as FloworkError;
}

describe("classifyAddress", () => {
  const cases: [string, AddressKind][] = [
    ["8.8.8.8", "public"],
    ["93.184.216.34", "public"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["10.0.0.1", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "link_local"],
    ["100.64.0.1", "shared"],
    ["100.127.255.255", "shared"],
    ["100.128.0.1", "public"],
    ["192.0.2.5", "documentation"],
    ["198.18.0.1", "reserved"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["240.0.0.1", "reserved"],
    ["255.255.255.255", "reserved"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["fc00::1", "unique_local"],
    ["fd12:3456::1", "unique_local"],
    ["fe80::1", "link_local"],
    ["fe80::1%eth0", "link_local"],
    ["febf::1", "link_local"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "documentation"],
    ["2606:4700:4700::1111", "public"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:169.254.169.254", "link_local"],
    ["::ffff:8.8.8.8", "public"],
    ["64:ff9b::a9fe:a9fe", "link_local"],
    ["2002:7f00:1::1", "loopback"],
    ["::127.0.0.1", "reserved"],
    ["100::1", "reserved"],
    ["not-an-ip", "reserved"],
  ];
  it.each(cases)("%s is %s", (ip, kind) => {
    expect(classifyAddress(ip)).toBe(kind);
  });
});

describe("checkTarget", () => {
  const policy = (allowedHosts: string[], table: Record<string, string[]> = {}) => ({
    allowedHosts,
    lookup: fakeLookup(table),
  });

  it("passes a public name and returns the address to pin", async () => {
    const target = await checkTarget(
      new URL("https://example.com/x"),
      policy([], { "example.com": ["93.184.216.34"] }),
    );
    expect(target).toMatchObject({ host: "example.com", address: "93.184.216.34", family: 4 });
  });

  it.each(["file:///etc/passwd", "ftp://example.com/", "gopher://127.0.0.1:70/", "data:text/plain,hi"])(
    "refuses the scheme of %s",
    async (url) => {
      const err = await refusal(checkTarget(new URL(url), policy([])));
      expect(err.code).toBe("SANDBOX_VIOLATION");
      expect(err.details).toMatchObject({ reason: "scheme" });
    },
  );

  it("refuses credentials in the URL", async () => {
    const err = await refusal(
      checkTarget(new URL("http://u:p@example.com/"), policy([], { "example.com": ["8.8.8.8"] })),
    );
    expect(err.code).toBe("SANDBOX_VIOLATION");
  });

  it("refuses a name when any of its addresses is private", async () => {
    const err = await refusal(
      checkTarget(new URL("http://mixed.test/"), policy([], { "mixed.test": ["8.8.8.8", "10.0.0.1"] })),
    );
    expect(err).toMatchObject({ code: "SANDBOX_VIOLATION", retryable: false });
    expect(err.details).toMatchObject({ address: "10.0.0.1", kind: "private" });
    expect(err.message).toContain("http_allowed_hosts");
  });

  it.each([
    "http://127.0.0.1/",
    "http://127.1/",
    "http://0x7f.0.0.1/",
    "http://2130706433/",
    "http://017700000001/",
    "http://0.0.0.0/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://169.254.169.254/latest/meta-data/",
  ])("refuses the IP literal %s (in any spelling)", async (url) => {
    const err = await refusal(checkTarget(new URL(url), policy([])));
    expect(err.code).toBe("SANDBOX_VIOLATION");
  });

  it("reports a name that does not resolve as a retryable HTTP_ERROR", async () => {
    const err = await refusal(checkTarget(new URL("http://nowhere.test/"), policy([])));
    expect(err).toMatchObject({ code: "HTTP_ERROR", retryable: true });
  });

  describe("http_allowed_hosts", () => {
    const table = {
      "db.internal": ["10.0.0.5"],
      "api.corp.test": ["192.168.1.20"],
      localhost: ["127.0.0.1", "::1"],
    };
    const allowed: [string, string[]][] = [
      ["http://db.internal/", ["db.internal"]],
      ["http://DB.internal./", ["db.internal"]],
      ["http://db.internal:8080/", ["db.internal:8080"]],
      ["http://api.corp.test/", ["*.corp.test"]],
      ["http://db.internal/", ["10.0.0.5"]],
      ["http://db.internal/", ["10.0.0.0/8"]],
      ["http://127.0.0.1:9000/", ["127.0.0.1"]],
      ["http://127.0.0.1:9000/", ["127.0.0.1:9000"]],
      ["http://[::1]:9000/", ["::1"]],
      ["http://[::1]:9000/", ["[::1]:9000"]],
      ["http://[::ffff:127.0.0.1]/", ["127.0.0.1"]],
      ["http://localhost/", ["localhost"]],
    ];
    it.each(allowed)("%s is allowed by %j", async (url, hosts) => {
      await expect(checkTarget(new URL(url), policy(hosts, table))).resolves.toMatchObject({});
    });

    const refused: [string, string[]][] = [
      ["http://db.internal:8081/", ["db.internal:8080"]],
      ["http://corp.test.evil/", ["*.corp.test"]],
      ["http://127.0.0.1:9001/", ["127.0.0.1:9000"]],
      ["http://127.0.0.2/", ["127.0.0.1"]],
      ["http://db.internal/", ["11.0.0.0/8"]],
      ["http://localhost/", ["127.0.0.1"]],
      ["http://db.internal/", ["not a host:x:y", ""]],
    ];
    it.each(refused)("%s is refused with %j", async (url, hosts) => {
      const err = await refusal(
        checkTarget(new URL(url), policy(hosts, { ...table, "corp.test.evil": ["10.1.1.1"] })),
      );
      expect(err.code).toBe("SANDBOX_VIOLATION");
    });
  });
});
