/** The facts Cedar policies decide `http.request` on (docs/security/policy.md). */
export interface HttpFacts {
  /** The resource parses as a URL. */
  valid_url: boolean;
  /** `http`, `https`, `file`, … without the colon; "" when the URL is invalid. */
  scheme: string;
  /** The host, lower case, without IPv6 brackets or a trailing dot, after URL parsing (`http://2130706433/` is `127.0.0.1`). */
  host: string;
  /** The host matches an entry of `security.allow_hosts`. */
  host_allowed_by_config: boolean;
}

/** Lower case, no IPv6 brackets, no trailing dot: the form hosts are compared in. */
export function normalizeHost(host: string): string {
  const lower = host.toLowerCase().replace(/\.$/, '');
  return lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
}

/**
 * True when `host` matches an allowlist entry: the same host, or for `*.example.com` any
 * subdomain (not `example.com` itself). Ports are not part of an entry: a host is trusted or not.
 */
export function hostMatches(host: string, entries: readonly string[]): boolean {
  const normalized = normalizeHost(host);
  return entries.some((entry) => {
    const pattern = normalizeHost(entry.trim());
    if (pattern.startsWith('*.')) return normalized.endsWith(pattern.slice(1)) && normalized.length > pattern.length - 1;
    return normalized === pattern;
  });
}

export function httpFacts(url: string, allowHosts: readonly string[]): HttpFacts {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { valid_url: false, scheme: '', host: '', host_allowed_by_config: false };
  }
  const host = normalizeHost(parsed.hostname);
  return { valid_url: true, scheme: parsed.protocol.replace(/:$/, ''), host, host_allowed_by_config: host !== '' && hostMatches(host, allowHosts) };
}
