// Builds dist/ (what the server embeds) from app/. One command:
//   node tools/build.mjs          (after `npm ci`)
//   node tools/build.mjs --check  (fails if dist/ differs from a fresh build)
// Output is deterministic: same sources and lockfile, same bytes.
import * as esbuild from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync, rmSync, readdirSync, statSync, copyFileSync, mkdtempSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { iconPng } from './icons.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const app = join(root, 'app');
const check = process.argv.includes('--check');
const out = check ? mkdtempSync(join(tmpdir(), 'sightline-dist-')) : join(root, 'dist');

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'icons'), { recursive: true });

const common = { bundle: true, minify: true, legalComments: 'none', target: ['es2022', 'safari16'], logLevel: 'warning' };
await esbuild.build({ ...common, entryPoints: [join(app, 'js/main.js')], outfile: join(out, 'app.js'), format: 'esm' });
await esbuild.build({ ...common, entryPoints: [join(app, 'sw.js')], outfile: join(out, 'sw.js'), format: 'iife' });
// Leaflet's stylesheet names a few images (layer switcher, default marker):
// they are copied beside it under content-hashed names.
await esbuild.build({ ...common, entryPoints: [join(app, 'css/app.css')], outfile: join(out, 'app.css'), loader: { '.png': 'file' }, assetNames: 'assets/[name]-[hash]' });

// The bundled libraries' licences travel with the bundle.
const bundled = ['leaflet', 'leaflet.markercluster'];
writeFileSync(join(out, 'third-party-licenses.txt'), bundled.map((name) => {
  const dir = join(root, 'node_modules', name);
  const { version, license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const text = readFileSync(join(dir, readdirSync(dir).find((f) => /licen[cs]e/i.test(f))), 'utf8').trim();
  return `${name} ${version} (${license})\n\n${text}\n`;
}).join('\n' + '-'.repeat(72) + '\n\n'));

for (const f of ['index.html', 'manifest.webmanifest', 'icons/icon.svg']) copyFileSync(join(app, f), join(out, f));
writeFileSync(join(out, 'icons/icon-180.png'), iconPng(180));
writeFileSync(join(out, 'icons/icon-192.png'), iconPng(192));
writeFileSync(join(out, 'icons/icon-512.png'), iconPng(512));
writeFileSync(join(out, 'icons/icon-maskable-512.png'), iconPng(512, true));

function files(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

if (check) {
  const committed = join(root, 'dist');
  const want = files(out).map((p) => relative(out, p)).sort();
  const have = files(committed).map((p) => relative(committed, p)).sort();
  const differ = want.filter((f) => !have.includes(f) || !readFileSync(join(out, f)).equals(readFileSync(join(committed, f))));
  const extra = have.filter((f) => !want.includes(f));
  rmSync(out, { recursive: true, force: true });
  if (differ.length || extra.length) {
    console.error(`dist/ is stale: rebuild with 'node tools/build.mjs' (differs: ${[...differ, ...extra].join(', ')})`);
    process.exit(1);
  }
  console.log('dist/ matches a fresh build');
} else {
  console.log(`built ${files(out).length} files into ${relative(process.cwd(), out) || out}`);
}
