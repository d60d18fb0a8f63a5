import 'reflect-metadata';
import { runMain, runSubgraphProcess } from '../../../lib/src';
import { donationsSubgraph } from './subgraph';

runMain(() => runSubgraphProcess(donationsSubgraph));
