import type DataLoader from 'dataloader';
import { type BaseSubgraphContext } from '../../../lib/src';
import { type MemberEntity } from './persistence/member.entity';
import { type MembersService } from './services/members.service';

export interface MembersContext extends BaseSubgraphContext {
  members: MembersService;
  loaders: { member: DataLoader<string, MemberEntity | null> };
}
