/**
 * Kommo account hosts we will talk to. `referer` on the install redirect is attacker-controlled and the
 * token exchange sends our client secret to it, so every outbound Kommo host passes through here first.
 */
export function isAllowedKommoHost(hostWithPort: string, patterns: string[], allowInsecureLoopback: boolean): boolean {
  const host = hostWithPort.trim().toLowerCase();
  if (allowInsecureLoopback && isLoopback(host)) return true;
  if (!/^[a-z0-9.-]+$/.test(host)) return false; // no port, userinfo, path or odd characters
  return patterns.some((p) => matchPattern(host, p));
}

function matchPattern(host: string, pattern: string): boolean {
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1); // ".kommo.com"
    const label = host.slice(0, host.length - suffix.length);
    return host.endsWith(suffix) && /^[a-z0-9-]+$/.test(label) && label.length > 0;
  }
  return host === pattern;
}

export function isLoopback(hostWithPort: string): boolean {
  const host = hostWithPort.replace(/:\d+$/, '');
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Base URL for an account host: https, except loopback in test/demo mode. */
export function kommoBaseUrl(host: string, allowInsecureLoopback: boolean): string {
  return allowInsecureLoopback && isLoopback(host) ? `http://${host}` : `https://${host}`;
}
