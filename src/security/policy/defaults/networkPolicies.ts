import type { PolicySource } from '../PolicySource.js';

/** Network: http and https only; this machine and the configured hosts without asking. */
export const NETWORK_POLICIES: PolicySource = {
  name: 'defaults/network.cedar',
  origin: 'default',
  text: `// HTTP requests (http.request). host is normalised: lower case, no IPv6 brackets or trailing dot,
// after URL parsing (http://2130706433/ is 127.0.0.1). host_allowed_by_config: security.allow_hosts.

@id("http.deny.invalid-url")
@reason("{resource} is not a valid URL.")
forbid (principal, action == Action::"http.request", resource)
when { !context.valid_url };

@id("http.deny.scheme")
@reason("Only http and https URLs may be requested, not {scheme}.")
forbid (principal, action == Action::"http.request", resource)
when { context.valid_url && !["http", "https"].contains(context.scheme) };

@id("http.allow.host")
@reason("{host} is an allowed host.")
permit (principal, action == Action::"http.request", resource)
when { context.host_allowed_by_config || ["localhost", "127.0.0.1", "::1"].contains(context.host) };

@id("http.approve.host")
@reason("{host} is not among the allowed hosts (localhost, 127.0.0.1, ::1 and security.allow_hosts); sending a request there needs approval.")
permit (principal, action == Action::"http.request", resource)
when { context.approved && !context.host_allowed_by_config && !["localhost", "127.0.0.1", "::1"].contains(context.host) };
`,
};
