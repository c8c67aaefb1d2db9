/**
 * The second window of a two-window integration run (IntegrationRun.secondWindow): activates
 * Candor in this window's own extension host, says `ready`, then obeys the suite running in the
 * first window through the mailbox in $CANDOR_PEER_DIR until told to exit. It asserts nothing
 * itself: the suite in the first window does.
 */
import * as vscode from 'vscode';
import { candor } from './util';
import type { PeerCommand, PeerReply } from './peerMailbox';
import { awaitMessage, writeMessage } from './peerMailbox';

export async function run(): Promise<void> {
  const dir = process.env.CANDOR_PEER_DIR;
  if (dir === undefined || dir === '') {
    throw new Error('CANDOR_PEER_DIR is not set: the peer runs only as the second window of a run');
  }
  const hooks = await candor();
  const state = (): PeerReply['state'] => ({ state: hooks.state().state, logDir: hooks.logDir() });
  await writeMessage(dir, 'ready.json', { ok: true, state: state(), at: Date.now() } satisfies PeerReply);
  console.log('[peer] ready');
  for (let n = 1; ; n++) {
    const cmd = await awaitMessage<PeerCommand>(dir, `cmd-${n}.json`, 170_000);
    let reply: PeerReply;
    let extra: Partial<PeerReply> = {};
    try {
      switch (cmd.op) {
        case 'state':
          break;
        case 'type': {
          const folder = vscode.workspace.workspaceFolders?.[0];
          if (folder === undefined) {
            throw new Error('no folder open');
          }
          const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, ...cmd.file.split('/')));
          await vscode.window.showTextDocument(doc);
          for (const ch of cmd.text) {
            await vscode.commands.executeCommand('type', { text: ch });
          }
          break;
        }
        case 'sync':
          await hooks.sync();
          break;
        case 'preview':
          await vscode.commands.executeCommand('candor.previewBundle', cmd.arg);
          break;
        case 'previewMessage': {
          const preview = hooks.preview();
          if (preview === undefined) {
            throw new Error('no preview is open');
          }
          hooks.answerModals(...(cmd.answers ?? []).map((a) => a ?? undefined));
          extra = { posted: await preview.handleMessage(cmd.message) };
          break;
        }
        case 'view':
          extra = { rows: await hooks.view().sessions() };
          break;
        case 'exit':
          await writeMessage(dir, `reply-${n}.json`, { ok: true, state: state(), at: Date.now() } satisfies PeerReply);
          console.log('[peer] exit');
          return;
      }
      const open = hooks.preview();
      reply = {
        ok: true,
        state: state(),
        at: Date.now(),
        modalsAsked: hooks.modalsAsked.length,
        ...(open === undefined ? {} : { preview: { hash: open.hash, status: open.status } }),
        ...extra,
      };
    } catch (err) {
      reply = { ok: false, error: err instanceof Error ? err.message : String(err), at: Date.now() };
    }
    await writeMessage(dir, `reply-${n}.json`, reply);
  }
}
