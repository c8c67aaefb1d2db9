import * as assert from 'node:assert/strict';
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
    const written: { f: string; doc: vscode.TextDocument }[] = [];
    const files: Record<string, string> = { 'front end': 'src/app.ts', 'back-end': 'src/server.ts' };
    for (const folder of folders.slice(0, 2)) {
      const rel = files[folder.name];
      assert.ok(rel, `fixture folder ${folder.name}`);
      const uri = vscode.Uri.joinPath(folder.uri, ...rel.split('/'));
      const editor = await openEditor(uri);
      await editor.edit((b) => b.insert(new vscode.Position(0, 0), `// in ${folder.name}\n`));
      await editor.document.save();
      written.push({ f: `${folder.name}/${rel}`, doc: editor.document });
    }
    await hooks.sync();
    const result = replayEvents(await readEvents(hooks.logDir()!));
    assert.deepEqual(result.issues, []);
    for (const { f, doc } of written) {
      const replayed = result.documents.find((d) => d.f === f);
      assert.ok(replayed, `${f} recorded with its folder name`);
      assert.equal(replayed.text, doc.getText());
    }
  });
});
