import 'reflect-metadata';
import { runMain, runSubgraphProcess } from '../../shared/src';
import { pointsSubgraph } from './subgraph';

runMain(() => runSubgraphProcess(pointsSubgraph));
