import { describe, expect, it } from 'vitest';
import { securityHeaders } from './securityHeaders.js';

describe('securityHeaders', () => {
  it('gives helmet\'s headers with a policy that allows nothing, and HSTS only over TLS', () => {
    const plain = securityHeaders({ tls: false });
    expect(plain).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'cross-origin-resource-policy': 'same-origin',
      'referrer-policy': 'no-referrer',
    });
    expect(plain['content-security-policy']).toMatch(/^default-src 'none';.*frame-ancestors 'none'/);
    expect(plain).not.toHaveProperty('strict-transport-security');
    expect(securityHeaders({ tls: true })['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(Object.isFrozen(plain)).toBe(true);
  });
});
