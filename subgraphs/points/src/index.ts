import 'reflect-metadata';
import { runMain, runSubgraphProcess } from '../../../lib/src';
import { pointsSubgraph } from './subgraph';

runMain(() => runSubgraphProcess(pointsSubgraph));
