import DataLoader from 'dataloader';
import { isUuid } from './validation';

/**
 * A per-request loader of rows by id: one `WHERE id = ANY($1)` per tick, results in key order, null for
 * ids that do not exist. Ids that are not UUIDs (an entity representation can carry anything) are null
 * without reaching the database. Never share one between requests (it caches).
 */
export function byIdLoader<T extends { id: string }>(load: (ids: readonly string[]) => Promise<T[]>): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(async (ids) => {
    const valid = ids.filter(isUuid);
    const rows = valid.length === 0 ? [] : await load(valid);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
