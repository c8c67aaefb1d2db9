/** Loaded by the bundle worker in tests (`redactorModule`): the identity redactor. */
import type { Redactor } from '../../../src/bundle/types';
import { identityRedactor } from './helpers';

export function createRedactor(): Redactor {
  return identityRedactor;
}
