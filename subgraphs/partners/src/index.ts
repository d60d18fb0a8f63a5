import 'reflect-metadata';
import { runMain, runSubgraphProcess } from '../../../lib/src';
import { partnersSubgraph } from './subgraph';

runMain(() => runSubgraphProcess(partnersSubgraph));
