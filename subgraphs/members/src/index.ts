import 'reflect-metadata';
import { runMain, runSubgraphProcess } from '../../../lib/src';
import { membersSubgraph } from './subgraph';

runMain(() => runSubgraphProcess(membersSubgraph));
