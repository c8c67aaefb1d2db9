import * as vscode from 'vscode';

/**
 * Native modal questions asked by the host. An interface so integration tests can answer them
 * through the test hooks (the only place a modal is ever answered by code).
 */
export interface Prompter {
  /** Shows a modal warning; resolves to the chosen item's title, or undefined for cancel. */
  confirm(message: string, detail: string, ...items: string[]): Promise<string | undefined>;
}

export class NativePrompter implements Prompter {
  async confirm(message: string, detail: string, ...items: string[]): Promise<string | undefined> {
    return vscode.window.showWarningMessage(message, { modal: true, detail }, ...items);
  }
}

/** Test-only: answers queued by the integration suite, falling back to a real modal. */
export class ScriptedPrompter implements Prompter {
  private readonly answers: (string | undefined)[] = [];
  /** Every question asked, for assertions. */
  readonly asked: string[] = [];

  constructor(private readonly fallback: Prompter) {}

  enqueue(...answers: (string | undefined)[]): void {
    this.answers.push(...answers);
  }

  async confirm(message: string, detail: string, ...items: string[]): Promise<string | undefined> {
    this.asked.push(message);
    if (this.answers.length > 0) {
      return this.answers.shift();
    }
    return this.fallback.confirm(message, detail, ...items);
  }
}
