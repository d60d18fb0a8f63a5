import { z } from 'zod';
import { authEnv, serverEnv } from '../../subgraphs/shared/src';

export const gatewayEnv = {
  ...serverEnv,
  ...authEnv,
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  SUPERGRAPH_PATH: z.string().min(1).optional(),
  MEMBERS_URL: z.url().optional(),
  POINTS_URL: z.url().optional(),
  PARTNERS_URL: z.url().optional(),
  DONATIONS_URL: z.url().optional(),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(102_400),
};
