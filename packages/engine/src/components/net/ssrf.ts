import { promises as dns } from "node:dns";
import { isIP } from "node:net";
import { FloworkError } from "@flowork/protocol";

/**
 * The SSRF guard shared by every component that reaches the network (`http_request`, `llm_chat`).
 *
 * A URL may be reached when its scheme is http(s) and every address its host resolves to is public, or when the
 * host (or the resolved address) is listed in the engine setting `http_allowed_hosts`. A refusal is a
 * non-retryable `SANDBOX_VIOLATION`: it is a policy decision, like a file path escaping the workspace, not a
 * network failure. The caller then connects to the checked address only (see `guarded-fetch` in this folder).
 */

/** What kind of address an IP is. Only `public` is reachable without an `http_allowed_hosts` entry. */
export type AddressKind =
  | "public"
  | "unspecified"
  | "loopback"
  | "private"
  | "link_local"
  | "shared"
  | "multicast"
  | "documentation"
  | "unique_local"
  | "reserved";

/** A DNS resolver: the shape of `ComponentServices.lookup`. */
export type LookupFn = (hostname: string) => Promise<{ address: string; family: number }[]>;

/** The address a checked URL must be connected to. */
export interface CheckedTarget {
  url: URL;
  /** The hostname without IPv6 brackets. */
  host: string;
  address: string;
  family: 4 | 6;
}

/** Policy inputs: the `http_allowed_hosts` setting and an optional resolver (defaults to node:dns). */
export interface SsrfPolicy {
  allowedHosts: readonly string[];
  lookup?: LookupFn | undefined;
}

type Bytes = readonly number[];
interface Cidr {
  bytes: Bytes;
  prefix: number;
}

function parseIPv4(text: string): Bytes | undefined {
  if (isIP(text) !== 4) return undefined;
  return text.split(".").map(Number);
}

/** Parses any IPv6 text form (`::`, embedded dotted quad, zone id) into 16 bytes. */
function parseIPv6(text: string): Bytes | undefined {
  const noZone = text.split("%")[0] ?? "";
  if (isIP(noZone) !== 6) return undefined;
  let groups = noZone;
  const lastColon = groups.lastIndexOf(":");
  const tail = groups.slice(lastColon + 1);
  if (tail.includes(".")) {
    const v4 = parseIPv4(tail);
    if (!v4) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = v4;
    groups = `${groups.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", rest] = groups.split("::");
  const headParts = head === "" ? [] : head.split(":");
  const restParts = rest === undefined || rest === "" ? [] : rest.split(":");
  const fill = rest === undefined ? 0 : 8 - headParts.length - restParts.length;
  const words = [...headParts, ...new Array<string>(fill).fill("0"), ...restParts].map((w) =>
    Number.parseInt(w, 16),
  );
  if (words.length !== 8 || words.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffff)) return undefined;
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

function parseCidr(text: string): Cidr {
  const [addr = "", bits] = text.split("/");
  const bytes = parseIPv4(addr) ?? parseIPv6(addr);
  if (!bytes) throw new Error(`bad CIDR ${text}`);
  return { bytes, prefix: bits === undefined ? bytes.length * 8 : Number(bits) };
}

function inCidr(bytes: Bytes, cidr: Cidr): boolean {
  if (bytes.length !== cidr.bytes.length) return false;
  for (let bit = 0; bit < cidr.prefix; bit += 8) {
    const left = Math.min(8, cidr.prefix - bit);
    const mask = (0xff << (8 - left)) & 0xff;
    if (((bytes[bit / 8] ?? 0) & mask) !== ((cidr.bytes[bit / 8] ?? 0) & mask)) return false;
  }
  return true;
}

const table = (rows: [string, AddressKind][]) =>
  rows.map(([cidr, kind]) => ({ cidr: parseCidr(cidr), kind }));

/** IANA special-purpose IPv4 ranges (RFC 6890 and successors). */
const IPV4_RANGES = table([
  ["0.0.0.0/8", "unspecified"],
  ["10.0.0.0/8", "private"],
  ["100.64.0.0/10", "shared"],
  ["127.0.0.0/8", "loopback"],
  ["169.254.0.0/16", "link_local"],
  ["172.16.0.0/12", "private"],
  ["192.0.0.0/24", "reserved"],
  ["192.0.2.0/24", "documentation"],
  ["192.88.99.0/24", "reserved"],
  ["192.168.0.0/16", "private"],
  ["198.18.0.0/15", "reserved"],
  ["198.51.100.0/24", "documentation"],
  ["203.0.113.0/24", "documentation"],
  ["224.0.0.0/4", "multicast"],
  ["240.0.0.0/4", "reserved"],
]);

const IPV6_RANGES = table([
  ["::/128", "unspecified"],
  ["::1/128", "loopback"],
  ["64:ff9b:1::/48", "reserved"],
  ["100::/64", "reserved"],
  ["2001::/23", "reserved"],
  ["2001:db8::/32", "documentation"],
  ["3fff::/20", "documentation"],
  ["fc00::/7", "unique_local"],
  ["fe80::/10", "link_local"],
  ["fec0::/10", "link_local"],
  ["ff00::/8", "multicast"],
]);

/** IPv6 ranges that carry an IPv4 address, and the byte offset of that address. */
const IPV4_CARRIERS = [
  { cidr: parseCidr("::ffff:0:0/96"), offset: 12 }, // IPv4-mapped
  { cidr: parseCidr("64:ff9b::/96"), offset: 12 }, // NAT64
  { cidr: parseCidr("2002::/16"), offset: 2 }, // 6to4
];
const GLOBAL_UNICAST_V6 = parseCidr("2000::/3");

/** Parses an IP into bytes, unwrapping IPv4 carried in IPv6 (mapped, NAT64, 6to4) so it is judged as IPv4. */
function ipBytes(ip: string): Bytes | undefined {
  const v4 = parseIPv4(ip);
  if (v4) return v4;
  const v6 = parseIPv6(ip);
  if (!v6) return undefined;
  const carrier = IPV4_CARRIERS.find((c) => inCidr(v6, c.cidr));
  return carrier ? v6.slice(carrier.offset, carrier.offset + 4) : v6;
}

/**
 * Classifies an IP address. IPv4 inside IPv6 (`::ffff:127.0.0.1`, NAT64, 6to4) is judged by its IPv4 part; IPv6
 * outside global unicast `2000::/3` is `reserved`; text that is not an IP is `reserved` too (fail closed).
 */
export function classifyAddress(ip: string): AddressKind {
  const bytes = ipBytes(ip);
  if (!bytes) return "reserved";
  const ranges = bytes.length === 4 ? IPV4_RANGES : IPV6_RANGES;
  const hit = ranges.find((r) => inCidr(bytes, r.cidr));
  if (hit) return hit.kind;
  if (bytes.length === 16 && !inCidr(bytes, GLOBAL_UNICAST_V6)) return "reserved";
  return "public";
}

interface AllowRule {
  name?: string;
  suffix?: string;
  cidr?: Cidr;
  port?: number;
}

/**
 * Parses one `http_allowed_hosts` entry: `host`, `host:port`, `*.suffix` (any subdomain), an IP literal
 * (`10.0.0.5`, `::1`, `[::1]:8080`) or a CIDR range (`10.0.0.0/8`). A rule without a port allows every port.
 */
function parseAllowRule(entry: string): AllowRule | undefined {
  const text = entry.trim().toLowerCase().replace(/\.$/, "");
  if (text === "") return undefined;
  if (text.includes("/")) {
    try {
      return { cidr: parseCidr(text) };
    } catch {
      return undefined;
    }
  }
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return ipRule(bracketed[1] ?? "", bracketed[2]);
  if (isIP(text) === 6) return ipRule(text, undefined);
  const [host = "", port, extra] = text.split(":");
  if (extra !== undefined || (port !== undefined && !/^\d+$/.test(port))) return undefined;
  const portNumber = port === undefined ? undefined : Number(port);
  if (isIP(host) === 4) return ipRule(host, port);
  if (host.startsWith("*.")) return { suffix: host.slice(1), port: portNumber };
  return { name: host, port: portNumber };
}

function ipRule(ip: string, port: string | undefined): AllowRule | undefined {
  const bytes = ipBytes(ip);
  if (!bytes) return undefined;
  return { cidr: { bytes, prefix: bytes.length * 8 }, port: port === undefined ? undefined : Number(port) };
}

function ruleMatches(rule: AllowRule, host: string, port: number, address?: string): boolean {
  if (rule.port !== undefined && rule.port !== port) return false;
  if (rule.name !== undefined) return rule.name === host;
  if (rule.suffix !== undefined) return host.endsWith(rule.suffix) && host.length > rule.suffix.length;
  if (rule.cidr) {
    const bytes = ipBytes(address ?? host);
    return bytes !== undefined && inCidr(bytes, rule.cidr);
  }
  return false;
}

function effectivePort(url: URL): number {
  if (url.port !== "") return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}

/** Strips IPv6 brackets and a trailing dot: the form compared with allow rules and given to the resolver. */
export function bareHost(url: URL): string {
  return url.hostname
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "")
    .toLowerCase();
}

async function resolve(
  host: string,
  lookup: LookupFn | undefined,
): Promise<{ address: string; family: number }[]> {
  if (isIP(host) !== 0) return [{ address: host, family: isIP(host) }];
  try {
    const found = lookup ? await lookup(host) : await dns.lookup(host, { all: true, verbatim: true });
    if (found.length > 0) return found;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "lookup failed";
    throw new FloworkError("HTTP_ERROR", `could not resolve host ${host} (${code})`, {
      retryable: true,
      details: { host, reason: code },
      cause: err,
    });
  }
  throw new FloworkError("HTTP_ERROR", `could not resolve host ${host} (no address)`, {
    retryable: true,
    details: { host },
  });
}

/**
 * Checks a URL against the policy and returns the address to connect to. Every address the host resolves to
 * must pass (so a name with one public and one private address cannot be used to pick the private one).
 *
 * @throws FloworkError `SANDBOX_VIOLATION` (not retryable) for a non-http(s) scheme, credentials in the URL or
 *   a refused address; `HTTP_ERROR` (retryable) when the name does not resolve.
 * @example
 * const target = await checkTarget(new URL("https://example.com/x"), { allowedHosts: ["127.0.0.1"] });
 * // target.address is the IP to connect to
 */
export async function checkTarget(url: URL, policy: SsrfPolicy): Promise<CheckedTarget> {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new FloworkError(
      "SANDBOX_VIOLATION",
      `refused: only http and https URLs may be requested, not ${url.protocol}`,
      {
        details: { reason: "scheme", scheme: url.protocol },
      },
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw new FloworkError("SANDBOX_VIOLATION", "refused: credentials in the URL; send them in a header", {
      details: { reason: "credentials_in_url" },
    });
  }
  const host = bareHost(url);
  const port = effectivePort(url);
  const rules = policy.allowedHosts.map(parseAllowRule).filter((r): r is AllowRule => r !== undefined);
  const hostListed = rules.some((r) => r.cidr === undefined && ruleMatches(r, host, port));
  const addresses = await resolve(host, policy.lookup);
  for (const { address } of addresses) {
    if (hostListed) continue;
    const kind = classifyAddress(address);
    if (kind === "public") continue;
    if (rules.some((r) => r.cidr !== undefined && ruleMatches(r, host, port, address))) continue;
    throw new FloworkError(
      "SANDBOX_VIOLATION",
      `refused: ${host} resolves to ${address}, a ${kind.replace("_", "-")} address; ` +
        "add the host to the engine setting http_allowed_hosts to allow it",
      { details: { reason: "private_address", host, address, kind } },
    );
  }
  const first = addresses[0] as { address: string; family: number };
  return { url, host, address: first.address, family: first.family === 6 ? 6 : 4 };
}
