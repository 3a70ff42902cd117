// render-pdfmake.mjs - the reference side of tests/pdfmake-conformance.sh:
// renders document definitions with pdfmake itself, as its Node users do
// (its own Roboto TTF files, createPdf, getBuffer).
//
//   node render-pdfmake.mjs OUTDIR DOCDEF.json...
//
// Writes OUTDIR/NAME.pdf for each DOCDEF (NAME: its file name without
// .json), or OUTDIR/NAME.err with pdfmake's error when it cannot render it.
// Relative image paths are read from the DOCDEF's folder (pdfmake reads local
// files relative to the working directory), and nothing outside that folder
// and pdfmake's fonts; URLs are never fetched.  Exits 1 only on a usage or
// setup error.
import { readFileSync, writeFileSync, realpathSync } from 'node:fs';
import { basename, dirname, resolve, sep } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [outdir, ...files] = process.argv.slice(2);
if (!outdir || files.length === 0) {
  console.error('usage: node render-pdfmake.mjs OUTDIR DOCDEF.json...');
  process.exit(1);
}
const out = resolve(outdir);

const pdfmake = require('pdfmake');
const fontsDir = dirname(require.resolve('pdfmake/fonts/Roboto.js'));
pdfmake.setFonts(require('pdfmake/fonts/Roboto.js'));
pdfmake.setUrlAccessPolicy(() => false);

for (const file of files) {
  const name = basename(file, '.json');
  const dir = realpathSync(dirname(resolve(file)));
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    process.chdir(dir);
    pdfmake.setLocalAccessPolicy((path) => {
      const p = resolve(path);
      return p.startsWith(dir + sep) || p.startsWith(fontsDir + sep);
    });
    const pdf = await pdfmake.createPdf(doc).getBuffer();
    writeFileSync(`${out}/${name}.pdf`, pdf);
  } catch (e) {
    writeFileSync(`${out}/${name}.err`, `${e.message}\n`.split('\n')[0] + '\n');
  }
}
