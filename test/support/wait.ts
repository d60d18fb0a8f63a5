/**
 * Polls `probe` every 50 ms until `ok` holds, and answers its value; past `timeoutMs` it fails naming
 * `what` and the last value seen. For what the hub does in the background (relays, sweepers, deliveries).
 */
export async function until<T>(what: string, probe: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
