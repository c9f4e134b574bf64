/**
 * Which Host headers the app answers. A DNS-rebinding page (attacker.example resolving to 127.0.0.1)
 * reaches a local server with its own name in Host; answering only our names makes its requests fail.
 */

/** Loopback names a rebinding page cannot put in Host (its Host is its own name), on any port. */
const LOOPBACK_HOSTNAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

export const isLoopbackHostname = (hostname: string) =>
  LOOPBACK_HOSTNAMES.has(hostname) || hostname.endsWith(".localhost") || /^127(\.\d{1,3}){3}$/.test(hostname);

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return v4 === "::1" || /^127(\.\d{1,3}){3}$/.test(v4);
}

/**
 * A predicate over a request URL's host (`name[:port]`, as the Host header gave it): our app URL's and
 * the allowed origins' hosts exactly, or a loopback name on any port (the dev servers, a health probe,
 * a proxy on the same machine that forwards its upstream address).
 */
export function hostAllowlist(appUrl: string, allowedOrigins: readonly string[]): (host: string) => boolean {
  const exact = new Set<string>();
  for (const origin of [appUrl, ...allowedOrigins]) {
    try {
      exact.add(new URL(origin).host.toLowerCase());
    } catch {
      // not a URL: nothing to allow
    }
  }
  return (host) => {
    const lower = host.toLowerCase();
    if (exact.has(lower)) return true;
    try {
      return isLoopbackHostname(new URL(`http://${lower}`).hostname);
    } catch {
      return false;
    }
  };
}
