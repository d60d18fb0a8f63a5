import 'reflect-metadata';
import { runMain, runSubgraphProcess } from '../../shared/src';
import { membersSubgraph } from './subgraph';

runMain(() => runSubgraphProcess(membersSubgraph));
