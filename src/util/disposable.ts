/** The shape of VS Code's Disposable, so vscode-free modules can own registrations too. */
export interface IDisposable {
  dispose(): void;
}

/**
 * Base class for anything that owns resources: every registration goes through `_register`, and
 * `dispose()` releases them in reverse order exactly once.
 */
export abstract class Disposable implements IDisposable {
  private readonly _disposables: IDisposable[] = [];
  private _isDisposed = false;

  protected get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** The array to pass as the `disposables` argument of `onDidX(listener, this, disposables)`. */
  protected get _subscriptions(): IDisposable[] {
    return this._disposables;
  }

  protected _register<T extends IDisposable>(d: T): T {
    if (this._isDisposed) {
      d.dispose();
    } else {
      this._disposables.push(d);
    }
    return d;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    while (this._disposables.length > 0) {
      this._disposables.pop()?.dispose();
    }
  }
}

export function toDisposable(fn: () => void): IDisposable {
  let done = false;
  return {
    dispose: () => {
      if (!done) {
        done = true;
        fn();
      }
    },
  };
}
