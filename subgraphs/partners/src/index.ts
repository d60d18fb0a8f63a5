import 'reflect-metadata';
import { runMain, runSubgraphProcess } from '../../shared/src';
import { partnersSubgraph } from './subgraph';

runMain(() => runSubgraphProcess(partnersSubgraph));
