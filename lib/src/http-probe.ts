import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';

/**
 * The HTTP status of a GET on `url`, or the error's message when none came. Made with node:http(s), not
 * fetch: fetch refuses the Fetch standard's blocked ports outright, which would read as "not ready".
 */
export function probeStatus(url: string | URL, timeoutMs = 1_000): Promise<number | string> {
  const target = new URL(url);
  const get = target.protocol === 'https:' ? httpsGet : httpGet;
  return new Promise((resolve) => {
    const request = get(target, { timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error) => resolve(error.message));
  });
}
