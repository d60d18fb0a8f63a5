// The limiter is shared with the subgraphs' own ports: see subgraphs/shared/src/rate-limit.ts.
export * from '../../subgraphs/shared/src/rate-limit';
