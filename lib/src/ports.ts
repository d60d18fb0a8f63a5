/**
 * The Fetch standard's blocked ports ("bad ports"): browsers and Node's `fetch` refuse to connect to them
 * (Node answers "bad port"), so a hub part listening on one could not be reached by a browser, by the
 * gateway's calls to its subgraphs, nor by a readiness check made with fetch. Listed as in Node 20's fetch.
 */
const FETCH_BLOCKED_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115,
  117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587,
  601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679,
  6697, 10080,
]);

export function isFetchBlockedPort(port: number): boolean {
  return FETCH_BLOCKED_PORTS.has(port);
}

/** Why `port` cannot be used, for a start-up error naming the `variable` that set it; undefined when it can. */
export function blockedPortReason(port: number, variable: string): string | undefined {
  if (!isFetchBlockedPort(port)) return undefined;
  return `${variable}: port ${port} is on the Fetch standard's list of blocked ports; browsers and Node's fetch refuse to connect to it. Choose another port.`;
}
