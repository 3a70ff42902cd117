// docdef-variant.mjs - writes a variant of a pdfmake document definition for
// bench/compare-pdf.sh, so that heft and pdfmake render the very same JSON.
//
//   node bench/docdef-variant.mjs --font FAMILY [--flatten] IN.json OUT.json
//
// --font FAMILY  sets defaultStyle.font (Helvetica, Roboto, ...).
// --flatten      replaces every `columns` by a stack of its columns and every
//                `table` by a stack of one paragraph per row (the cells as
//                runs, two spaces apart): only for trying the bench on a heft
//                that does not render tables and columns yet.  The figures
//                are then those of another document, not of the benchmark's.
// Node's standard library only (no npm install needed).
import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';

function die(msg) {
  console.error(`docdef-variant: ${msg}`);
  process.exit(1);
}

let opt, files;
try {
  ({ values: opt, positionals: files } = parseArgs({
    allowPositionals: true,
    options: { font: { type: 'string' }, flatten: { type: 'boolean', default: false } },
  }));
} catch (e) {
  die(e.message);
}
if (files.length !== 2 || !opt.font) die('usage: docdef-variant.mjs --font FAMILY [--flatten] IN.json OUT.json');

// A table cell or a column as a run of a paragraph: its text, and its own
// style properties when it is a text node.
function run(cell) {
  if (typeof cell === 'string') return cell + '  ';
  if (cell && typeof cell === 'object' && 'text' in cell) {
    const { text, ...props } = cell;
    return { ...props, text: [].concat(text, '  ') };
  }
  return '';
}

function flatten(node) {
  if (Array.isArray(node)) return node.map(flatten);
  if (!node || typeof node !== 'object') return node;
  if (Array.isArray(node.columns)) {
    const { columns, columnGap, ...rest } = node;
    return { ...rest, stack: columns.map(flatten) };
  }
  if (node.table && Array.isArray(node.table.body)) {
    const { table, layout, ...rest } = node;
    return { ...rest, stack: table.body.map((row) => ({ text: row.map(run) })) };
  }
  for (const key of ['stack', 'ul', 'ol']) {
    if (Array.isArray(node[key])) return { ...node, [key]: flatten(node[key]) };
  }
  return node;
}

let doc;
try {
  doc = JSON.parse(readFileSync(files[0], 'utf8'));
} catch (e) {
  die(`${files[0]}: ${e.message}`);
}
if (!doc || typeof doc !== 'object' || Array.isArray(doc)) die(`${files[0]}: not a document definition (a JSON object)`);
doc.defaultStyle = { ...(doc.defaultStyle || {}), font: opt.font };
if (opt.flatten) doc.content = flatten(doc.content);
writeFileSync(files[1], JSON.stringify(doc));
