import { type DataSource } from 'typeorm';
import { badInput, isAdmin, notFound, sql, validate, type Viewer } from '../../../shared/src';

/**
 * The partner whose stores or offers an (already authorised) manager is creating: the admin names one;
 * a partner acts for itself, and naming another answers like a missing partner (NOT_FOUND).
 */
export async function managedPartnerId(dataSource: DataSource, viewer: Viewer, requested: string | null | undefined): Promise<string> {
  let partnerId: string;
  if (isAdmin(viewer)) {
    if (requested == null) throw badInput('partnerId', 'is required for the admin');
    partnerId = validate.uuid('partnerId', requested);
  } else {
    partnerId = viewer.partnerId as string;
    if (requested != null && validate.uuid('partnerId', requested) !== partnerId) throw notFound('Partner');
  }
  const { rowCount } = await sql(dataSource.manager, 'SELECT 1 FROM partners WHERE id = $1', [partnerId]);
  if (rowCount === 0) throw notFound('Partner');
  return partnerId;
}
