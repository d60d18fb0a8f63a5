// The limiter is shared with the subgraphs' own ports: see lib/src/rate-limit.ts.
export * from '../../lib/src/rate-limit';
