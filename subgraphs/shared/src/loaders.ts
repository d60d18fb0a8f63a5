import DataLoader from 'dataloader';

/**
 * A per-request loader of rows by id: one `WHERE id = ANY($1)` per tick, results in key order, null for
 * ids that do not exist. Never share one between requests (it caches).
 */
export function byIdLoader<T extends { id: string }>(load: (ids: readonly string[]) => Promise<T[]>): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = await load(ids);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
