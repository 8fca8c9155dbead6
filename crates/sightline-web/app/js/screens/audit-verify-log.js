// "Verify this log": what offline verification proves, and the bundle to
// do it: the log's public key, the whole log as `sightline audit export`
// writes it (GET /api/v1/audit/log-export, recorded in the log), the
// latest signed checkpoint to keep for next time, and the exact command.
import { h, mount } from '../dom.js';
import { get } from '../api.js';
import { timeEl } from '../format.js';
import { parseVkey, hex } from '../audit-verify.js';
import { downloadButtons } from '../components/export-download.js';

function saveText(text, name) {
  const href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = h('a', { href, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

export async function render(main) {
  const pk = await get('/api/v1/audit/public-key');
  let cp = null;
  try { cp = await get('/api/v1/audit/checkpoint'); } catch (e) { if (e.status !== 404) throw e; }
  const pub = await parseVkey(pk.vkey);
  const slug = pk.log.replace(':', '-');
  const keyFile = `sightline-${slug}.vkey`;
  const logFile = `sightline-audit-log-${slug}.jsonl`;
  const cpFile = cp ? `sightline-${slug}-checkpoint-${cp.tree_size}.txt` : null;
  const command = `sightline audit verify ${logFile} --public-key ${keyFile}`;

  const fileButton = (label, text, name) => h('button', { type: 'button', class: 'secondary', onclick: () => saveText(text, name) }, label);
  mount(main, h('div', { class: 'medium' },
    h('div', { class: 'page-head' }, h('h1', {}, 'Verify this log')),
    h('section', { class: 'panel intro' },
      h('p', {}, 'Your agency\'s audit log is a Merkle tree (RFC 6962). Every few seconds Sightline signs its head, the checkpoint, with the log\'s Ed25519 key. With the public key and an export, anyone can check on their own computer, with no database and no network, that:'),
      h('ul', {},
        h('li', {}, 'every entry\'s bytes hash to its leaf, and the leaves build the signed heads;'),
        h('li', {}, 'every checkpoint is signed by the log\'s key, and each later one extends the earlier (nothing was changed, removed or reordered);'),
        h('li', {}, 'every entry is covered by the latest signed checkpoint.')),
      h('p', {}, 'The check on each entry\'s page runs in your browser, against the latest checkpoint. This offline check covers the whole log, and needs trust in nothing Sightline says at the time you run it, provided you got the public key from somewhere you trust.')),
    h('section', { class: 'panel', 'aria-labelledby': 'key-h' },
      h('h2', { id: 'key-h' }, '1. The public key'),
      h('p', {}, `Key ${pub.name}, key id `, h('code', {}, hex(pub.keyId)), ':'),
      h('p', {}, h('code', { class: 'wrap', 'data-testid': 'vkey' }, pk.vkey)),
      h('p', { class: 'small muted' }, 'Compare it with the copy your agency keeps outside Sightline (the operator prints it with `sightline audit public-key`). A key fetched from the server you are checking proves only that the log is consistent with itself.'),
      fileButton('Save the public key', `${pk.vkey}\n`, keyFile)),
    h('section', { class: 'panel', 'aria-labelledby': 'export-h' },
      h('h2', { id: 'export-h' }, '2. The whole log'),
      h('p', {}, 'Every entry of your agency\'s log with its exact bytes and leaf hash, every signed checkpoint, and the consistency and inclusion proofs between them (format sightline-audit-export/1). Saving it is recorded in the log, and a checkpoint covering that record is signed first.'),
      downloadButtons([{ label: 'Save the whole log', url: '/api/v1/audit/log-export', name: logFile }], { label: 'Whole-log export' })),
    h('section', { class: 'panel', 'aria-labelledby': 'cmd-h' },
      h('h2', { id: 'cmd-h' }, '3. Run the verifier'),
      h('p', {}, 'With both files in one folder:'),
      h('pre', { class: 'command', 'data-testid': 'verify-command' }, command),
      h('p', { class: 'small muted' }, 'It prints "verified: N entries, M signed checkpoints, tree size …" or names the first bad entry after "TAMPERED:", and exits non-zero.')),
    h('section', { class: 'panel', 'aria-labelledby': 'cp-h' },
      h('h2', { id: 'cp-h' }, '4. Keep the latest checkpoint'),
      cp
        ? [h('p', {}, `Tree size ${cp.tree_size}, signed `, timeEl(cp.signed_at), ', root ', h('code', { class: 'wrap' }, cp.root_hash), '.'),
          h('pre', { class: 'command' }, cp.note),
          h('p', {}, 'A checkpoint you keep catches a log rewritten from scratch, which an export alone cannot. Next time, add it to the command:'),
          h('pre', { class: 'command' }, `${command} --trusted-checkpoint ${cpFile}`),
          fileButton('Save this checkpoint', cp.note, cpFile)]
        : h('p', {}, 'The log has no signed checkpoint yet; one is signed within seconds of the first entry.'))));
}
