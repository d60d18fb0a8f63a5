import 'reflect-metadata';
import { runMain, runSubgraphProcess } from '../../shared/src';
import { donationsSubgraph } from './subgraph';

runMain(() => runSubgraphProcess(donationsSubgraph));
