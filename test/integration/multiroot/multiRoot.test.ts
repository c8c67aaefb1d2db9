import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { replayEvents } from '../../../src/replay/replay';
import { candor, openEditor, readEvents } from '../util';

describe('multi-root workspaces', function () {
  this.timeout(30_000);

  it('records both folders with folder-prefixed paths that replay exactly', async () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.ok(folders.length >= 2, 'the fixture has two folders');
    const hooks = await candor();
    await hooks.grantConsent(['edits', 'files']);
    const written: { f: string; uri: vscode.Uri }[] = [];
    for (const folder of folders.slice(0, 2)) {
      const uri = vscode.Uri.joinPath(folder.uri, 'candor-multi.txt');
      await vscode.workspace.fs.writeFile(uri, Buffer.from('start\n'));
      const editor = await openEditor(uri);
      await editor.edit((b) => b.insert(new vscode.Position(1, 0), `in ${folder.name}\n`));
      assert.ok(await editor.document.save(), 'saved');
      written.push({ f: `${folder.name}/candor-multi.txt`, uri });
    }
    await hooks.sync();
    const result = replayEvents(await readEvents(hooks.logDir()!));
    assert.deepEqual(result.issues, []);
    for (const { f, uri } of written) {
      const doc = result.documents.find((d) => d.f === f);
      assert.ok(doc, `${f} recorded with its folder name`);
      assert.equal(doc.text, await readFile(uri.fsPath, 'utf8'));
    }
  });
});
