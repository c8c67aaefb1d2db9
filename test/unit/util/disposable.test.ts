import * as assert from 'node:assert/strict';
import { Disposable, disposeAll, toDisposable, type IDisposable } from '../../../src/util/disposable';

class Owner extends Disposable {
  add<T extends IDisposable>(d: T): T {
    return this._register(d);
  }
}

describe('Disposable', () => {
  it('disposes every registration newest first, exactly once', () => {
    const order: number[] = [];
    const owner = new Owner();
    for (const i of [1, 2, 3]) {
      owner.add(toDisposable(() => order.push(i)));
    }
    owner.dispose();
    owner.dispose();
    assert.deepEqual(order, [3, 2, 1]);
  });

  it('disposes the rest when one throws, then rethrows that error', () => {
    const order: number[] = [];
    const owner = new Owner();
    owner.add(toDisposable(() => order.push(1)));
    owner.add(toDisposable(() => {
      throw new Error('boom');
    }));
    owner.add(toDisposable(() => order.push(3)));
    assert.throws(() => owner.dispose(), /boom/);
    assert.deepEqual(order, [3, 1]);
  });

  it('collects several failures into one AggregateError', () => {
    const items: IDisposable[] = [1, 2, 3].map((i) => toDisposable(() => {
      throw new Error(`fail ${i}`);
    }));
    assert.throws(
      () => disposeAll(items),
      (err: unknown) => err instanceof AggregateError && err.errors.length === 3 && items.length === 0,
    );
  });

  it('disposes at once what is registered after disposal', () => {
    const owner = new Owner();
    owner.dispose();
    let disposed = false;
    owner.add(toDisposable(() => (disposed = true)));
    assert.equal(disposed, true);
  });
});
