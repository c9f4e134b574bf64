/**
 * WordPress sites are addresses a user types, and the server connects to them: a name on a private
 * network (localhost, 10.x, 169.254.169.254…) would let the WordPress form reach the server's own
 * network. Checking the name's addresses before connecting is not enough: the name can resolve to a
 * public address for the check and to 127.0.0.1 a moment later for the connection (DNS rebinding, a
 * short TTL). So `publicOnlyFetch` checks the addresses at connect time, in the socket's own lookup:
 * the connection goes to an address that was checked, never to one resolved after the check. The URL
 * keeps the site's name, so the Host header and TLS SNI/certificate check are for the site.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import type { LookupFunction } from "node:net";
import { BlockList, isIP } from "node:net";
import { Agent, buildConnector, fetch as undiciFetch } from "undici";

/** Loopback, private, link-local, CGNAT, NAT64, multicast, reserved and unspecified ranges: not a public WordPress site. */
const PRIVATE_NETWORKS = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["192.0.0.0", 24],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  PRIVATE_NETWORKS.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  // ::/96 also covers the old IPv4-compatible form ::a.b.c.d; 64:ff9b::/96 is NAT64, which reaches IPv4
  // addresses (private ones too) through a gateway.
  ["::", 96],
  ["64:ff9b::", 96],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const)
  PRIVATE_NETWORKS.addSubnet(net, bits, "ipv6");

export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const ip = mapped ?? address;
  const family = isIP(ip);
  if (!family) return true;
  return PRIVATE_NETWORKS.check(ip, family === 4 ? "ipv4" : "ipv6");
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Every address of a host name (injectable so tests can play a rebinding name server). */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>;

export const resolveHost: ResolveHost = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The error code of a connection refused because the site's name resolved to a private address. */
export const PRIVATE_ADDRESS_CODE = "ERR_INKWELL_PRIVATE_ADDRESS";

export class PrivateAddressError extends Error {
  readonly code = PRIVATE_ADDRESS_CODE;
  constructor(
    readonly hostname: string,
    readonly address: string,
  ) {
    super(`${hostname} resolves to ${address}, an address on a private network`);
    this.name = "PrivateAddressError";
  }
}

/** The host's addresses when every one is public; a PrivateAddressError otherwise. */
export async function publicAddressesOf(hostname: string, resolve: ResolveHost = resolveHost): Promise<ResolvedAddress[]> {
  const host = hostname.replace(/^\[|\]$/g, "");
  const family = isIP(host);
  const addresses = family ? [{ address: host, family }] : await resolve(host);
  if (!addresses.length) throw Object.assign(new Error(`${host} has no address`), { code: "ENOTFOUND" });
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  if (bad) throw new PrivateAddressError(host, bad.address);
  return addresses;
}

/**
 * A fetch that connects only to public addresses, checked when the socket connects (see above). An IP
 * literal in the URL is checked before the request (sockets skip the lookup for those).
 */
export function publicOnlyFetch(resolve: ResolveHost = resolveHost): typeof fetch {
  const agent = publicOnlyAgent(resolve);
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (isIP(host)) {
      try {
        await publicAddressesOf(host, resolve);
      } catch (error) {
        throw new TypeError("fetch failed", { cause: error });
      }
    }
    // undici's own fetch with its Agent (the global fetch's internal undici is not ours to configure).
    return undiciFetch(url, { ...(init as object), dispatcher: agent } as Parameters<typeof undiciFetch>[1]);
  }) as unknown as typeof fetch;
}

/**
 * The dispatcher of publicOnlyFetch. A socket skips its lookup for an IP literal, so each connection's
 * host is checked here too: a redirect (the OpenAI SDK lets fetch follow them) from a public base URL
 * to http://169.254.169.254/ or http://127.0.0.1:5432/ is a new connection, never seen by the check of
 * the first URL.
 */
export function publicOnlyAgent(resolve: ResolveHost = resolveHost): Agent {
  const lookup: LookupFunction = (hostname, options, callback) => {
    publicAddressesOf(hostname, resolve).then(
      (addresses) => {
        const usable = options.family ? addresses.filter((a) => a.family === options.family) : addresses;
        if (options.all) return callback(null, usable);
        const first = usable[0] ?? addresses[0];
        callback(null, first?.address ?? "", first?.family ?? 4);
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 0),
    );
  };
  const connect = buildConnector({ lookup });
  return new Agent({
    connect: (options, callback) => {
      const host = options.hostname.replace(/^\[|\]$/g, "");
      if (!isIP(host)) return connect(options, callback);
      publicAddressesOf(host, resolve).then(
        () => connect(options, callback),
        (error: Error) => callback(error, null),
      );
    },
  });
}
