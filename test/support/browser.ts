/**
 * A minimal user agent over fetch for sign-in tests: keeps cookies (by name and path; like a
 * browser, not by port, since both servers live on 127.0.0.1) and follows redirects one hop
 * at a time so a test can stop, look at, or tamper with any hop.
 */
export class Browser {
  readonly cookies = new Map<string, { value: string; path: string }>();

  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const cookie = [...this.cookies]
      .filter(([, c]) => target.pathname.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(target, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) this.store(line);
    return res;
  }

  /**
   * Follows redirects from `url` until a response is not a redirect, or until the next hop
   * satisfies `stopBefore` (that hop is returned, not requested).
   */
  async follow(
    url: string | URL,
    stopBefore: (next: URL) => boolean = () => false,
  ): Promise<{ response: Response; next: URL | undefined }> {
    let current = new URL(url);
    for (let hop = 0; hop < 20; hop++) {
      const response = await this.request(current);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || location === null) {
        return { response, next: undefined };
      }
      await response.arrayBuffer();
      const next = new URL(location, current);
      if (stopBefore(next)) return { response, next };
      current = next;
    }
    throw new Error(`more than 20 redirects from ${url}`);
  }

  private store(line: string): void {
    const [pair, ...attributes] = line.split(';').map((p) => p.trim());
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq);
    const value = pair!.slice(eq + 1);
    let path = '/';
    let expired = value === '';
    for (const a of attributes) {
      const [key, v = ''] = a.split('=');
      const k = key!.toLowerCase();
      if (k === 'path') path = v;
      if (k === 'max-age' && Number(v) <= 0) expired = true;
      if (k === 'expires' && Date.parse(v) <= Date.now()) expired = true;
    }
    if (expired) this.cookies.delete(name);
    else this.cookies.set(name, { value, path });
  }
}
