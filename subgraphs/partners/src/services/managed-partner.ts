import { type DataSource } from 'typeorm';
import { badInput, isAdmin, notFound, validate, type Viewer } from '../../../../lib/src';
import { partnerExists } from '../persistence/partners.repository';

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
  if (!(await partnerExists(dataSource.manager, partnerId))) throw notFound('Partner');
  return partnerId;
}
