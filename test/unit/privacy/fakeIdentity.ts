import type { MachineIdentity } from '../../../src/privacy/identity';

/** A machine identity no real machine here has, for the identity rules' tests. */
export const FAKE: MachineIdentity = {
  username: 'alice-dev',
  homedir: '/home/alice-dev',
  hostname: 'alice-laptop',
  gitName: 'Alice Dev',
  gitEmail: 'alice@example.org',
};
