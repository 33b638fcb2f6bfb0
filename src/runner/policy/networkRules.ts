import type { PolicyDecision } from '../types/index.js';

/** Hosts reachable without approval by default: this machine only. */
export const DEFAULT_ALLOWED_HOSTS: readonly string[] = Object.freeze(['localhost', '127.0.0.1', '::1']);

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

/** Decides an `http.request` for `url`. Only http and https; allowlisted hosts pass, others ask. */
export function decideUrl(url: string, allowedHosts: readonly string[]): PolicyDecision {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { effect: 'deny', reason: `"${url}" is not a valid URL.`, rules: ['http.deny.invalid-url'] };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { effect: 'deny', reason: `Only http and https URLs may be requested, not ${parsed.protocol.replace(/:$/, '')}.`, rules: ['http.deny.scheme'] };
  }
  const host = normalizeHost(parsed.hostname);
  if (hostMatches(host, allowedHosts)) {
    return { effect: 'allow', reason: `${host} is an allowed host.`, rules: ['http.allow.host'] };
  }
  return {
    effect: 'approve',
    reason: `${host} is not among the allowed hosts (${allowedHosts.join(', ')}); sending a request there needs approval.`,
    rules: ['http.approve.host'],
  };
}
