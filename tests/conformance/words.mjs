// words.mjs - the words of a text, one a line, for tests/pdfmake-conformance.sh
// to compare with diff(1).
//
//   node words.mjs IN.txt OUT.words
//
// Words are what pdftotext printed, NFKC-normalised (a ligature such as "ﬁ"
// becomes "fi"), split at white space.
import { readFileSync, writeFileSync } from 'node:fs';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node words.mjs IN.txt OUT.words');
  process.exit(1);
}
const words = readFileSync(input, 'utf8').normalize('NFKC').split(/\s+/u).filter(Boolean);
writeFileSync(output, words.map((w) => w + '\n').join(''));
