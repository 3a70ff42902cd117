// pdfmake-render.mjs - pdfmake's counterpart of `heft-bench --mode drain
// --type pdf.render`: renders one document definition N times in this
// process, one after the other (one core), so heft's rendering speed can be
// given as a ratio against pdfmake measured on the same machine in the same
// run (bench/compare-pdf.sh).
//
//   node bench/peers/pdfmake-render.mjs [--font roboto|helvetica] [--docs N]
//        [--warmup W] [--out FILE] DOCDEF.json
//
// --font roboto (default): pdfmake's own Roboto (the TTF files it ships in
//   node_modules/pdfmake/fonts/Roboto, as its Node examples register them),
//   embedded and subset by pdfkit; defaultStyle.font is set to Roboto.
// --font helvetica: pdfmake's standard-14 Helvetica (not embedded);
//   defaultStyle.font is set to Helvetica.
// A font named inside the document (a style's font) is left alone.
//
// Each render starts from the JSON text, as a heft job does (heftd parses
// the payload of every job): JSON.parse, createPdf, getBuffer.  The first W
// renders (default 20) warm the JIT up and are not timed.  Prints one line:
//   peer=pdfmake font=F docs=N seconds=S ms_per_doc=M docs_per_s=D pages=P bytes=B rss_kb=R
// (pages and bytes of the last document) and exits 0; any error exits 1
// with a message and no summary line.  --out writes the last PDF to FILE.
import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function die(msg) {
  console.error(`pdfmake-render: ${msg}`);
  process.exit(1);
}

let opt, files;
try {
  ({ values: opt, positionals: files } = parseArgs({
    allowPositionals: true,
    options: {
      font: { type: 'string', default: 'roboto' },
      docs: { type: 'string', default: '200' },
      warmup: { type: 'string', default: '20' },
      out: { type: 'string' },
    },
  }));
} catch (e) {
  die(e.message);
}
const N = Number(opt.docs);
const W = Number(opt.warmup);
if (!(Number.isInteger(N) && N > 0 && Number.isInteger(W) && W >= 0)) {
  die('--docs must be a positive integer and --warmup an integer >= 0');
}
if (files.length !== 1) die('give exactly one document definition (a JSON file)');

let pdfmake;
try {
  pdfmake = require('pdfmake');
} catch (e) {
  die(`cannot load pdfmake (npm ci --prefix bench/peers): ${e.message}`);
}
// pdfmake warns on every createPdf unless both policies are set.  Nothing is
// fetched; local files only for the fonts (and images a document names).
pdfmake.setUrlAccessPolicy(() => false);
pdfmake.setLocalAccessPolicy(() => true);

let family;
switch (opt.font) {
case 'roboto':
  pdfmake.setFonts(require('pdfmake/fonts/Roboto.js'));
  family = 'Roboto';
  break;
case 'helvetica':
  pdfmake.setFonts(require('pdfmake/standard-fonts/Helvetica.js'));
  family = 'Helvetica';
  break;
default:
  die(`--font must be roboto or helvetica, not "${opt.font}"`);
}

let text;
try {
  text = readFileSync(files[0], 'utf8');
  JSON.parse(text);
} catch (e) {
  die(`${files[0]}: ${e.message}`);
}

async function renderOnce() {
  const doc = JSON.parse(text);
  doc.defaultStyle = { ...(doc.defaultStyle || {}), font: family };
  return pdfmake.createPdf(doc).getBuffer();
}

function pageCount(pdf) {
  // pdfkit writes one "/Type /Pages" node whose /Count is the page count.
  const m = /\/Type \/Pages\s*\/Count (\d+)/.exec(pdf.toString('latin1'));
  return m ? Number(m[1]) : 0;
}

let last;
try {
  for (let i = 0; i < W; i++) await renderOnce();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) last = await renderOnce();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (opt.out) writeFileSync(opt.out, last);
  const rssKb = Math.round(process.memoryUsage().rss / 1024);
  console.log(`peer=pdfmake font=${opt.font} docs=${N} seconds=${seconds.toFixed(3)}` +
              ` ms_per_doc=${(seconds * 1000 / N).toFixed(3)} docs_per_s=${(N / seconds).toFixed(1)}` +
              ` pages=${pageCount(last)} bytes=${last.length} rss_kb=${rssKb}`);
} catch (e) {
  die(`rendering ${files[0]} failed: ${e.stack || e.message}`);
}
