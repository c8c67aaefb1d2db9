import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';

/**
 * Proves the harness: Candor loads as the development extension in a real VS Code, activates,
 * registers its commands, and sees the temporary copy of the fixture workspace. Deliberately
 * tolerant of the extension's API shape while it is being written.
 */
const EXTENSION_ID = 'candor.candor';
const START_COMMAND = 'candor.startRecording';

interface ContributedCommand {
  readonly command: string;
  readonly title?: string;
  readonly category?: string;
}

function candor(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension<unknown>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not loaded; installed: ${vscode.extensions.all.map((e) => e.id).join(', ')}`);
  return ext;
}

describe('smoke: Candor in a real VS Code', () => {
  it('is loaded as the development extension', () => {
    const ext = candor();
    const manifest = ext.packageJSON as { publisher?: string; name?: string; main?: string };
    assert.equal(manifest.publisher, 'candor');
    assert.equal(manifest.name, 'candor');
    assert.equal(manifest.main, './dist/extension.js');
  });

  it(`contributes ${START_COMMAND}, and activates and registers it`, async () => {
    const ext = candor();
    const contributed = ((ext.packageJSON as { contributes?: { commands?: ContributedCommand[] } }).contributes?.commands ?? []).map((c) => c.command);
    assert.ok(contributed.includes(START_COMMAND), `package.json does not contribute ${START_COMMAND}`);
    await ext.activate();
    assert.ok(ext.isActive, 'the extension did not become active');
    const registered = await vscode.commands.getCommands(true);
    assert.ok(registered.includes(START_COMMAND), `${START_COMMAND} is not registered after activation`);
  });

  it('returns an API object from activate()', async () => {
    const api = await candor().activate();
    assert.equal(typeof api, 'object', 'activate() returned no API object');
    assert.notEqual(api, null);
  });

  it("runs in code-server's remote extension host", function () {
    if (process.env.CANDOR_HOST !== 'code-server') {
      this.skip(); // desktop VS Code through @vscode/test-electron: a local extension host
    }
    assert.ok(vscode.env.remoteName, 'vscode.env.remoteName is not set');
    assert.equal(candor().extensionKind, vscode.ExtensionKind.Workspace);
  });

  it('opens the temporary copy of the fixture workspace', async () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.ok(folders.length > 0, 'no workspace folder is open');
    const fixtures = path.join(candor().extensionPath, 'test', 'fixtures');
    const root = process.env.CANDOR_WORKSPACE_ROOT;
    for (const folder of folders) {
      assert.equal(folder.uri.scheme, 'file');
      assert.ok(!folder.uri.fsPath.startsWith(fixtures), `${folder.uri.fsPath} is the fixture itself, not a copy`);
      if (root !== undefined && root !== '') {
        assert.ok(folder.uri.fsPath === root || folder.uri.fsPath.startsWith(root + path.sep), `${folder.uri.fsPath} is outside ${root}`);
      }
    }
    // Paths with spaces and non-ASCII names survive the URI round trip.
    const hello = vscode.Uri.joinPath(folders[0].uri, 'src', 'héllo.ts');
    if (path.basename(folders[0].uri.fsPath) === 'basic ws') {
      const doc = await vscode.workspace.openTextDocument(hello);
      assert.match(doc.getText(), /export function greet/);
    }
  });
});
