import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '../..');
const documents = ['README.md', ...readdirSync(path.join(root, 'docs')).map((f) => `docs/${f}`)].filter((f) => f.endsWith('.md'));

/** GitHub's anchor for a heading: lower case, punctuation but - and _ dropped, spaces as -. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(path.join(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.*)$/gm)].map((m) => slug(m[1] ?? '')));
}

describe('the README and docs/', () => {
  it("the README fits an operator's first hour: at most 400 lines, with the playbook and both commands", () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme.split('\n').length).toBeLessThanOrEqual(400);
    expect(readme).toContain("## A fleet's migration, step by step");
    expect(readme).toContain('npm ci && npm run build && node dist/src/main.js');
    expect(readme).toContain('./scripts/install-test-packages && npm ci && npm test');
  });

  it.each(documents)('every relative link of %s leads to a file and heading that exist', (file) => {
    const text = readFileSync(path.join(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
    const broken: string[] = [];
    for (const [, target = ''] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [pathPart = '', anchor] = target.split('#');
      const linked = pathPart === '' ? file : path.normalize(path.join(path.dirname(file), pathPart));
      if (!existsSync(path.join(root, linked))) broken.push(`${target}: no file ${linked}`);
      else if (anchor && linked.endsWith('.md') && !anchorsOf(linked).has(anchor))
        broken.push(`${target}: no heading #${anchor} in ${linked}`);
    }
    expect(broken).toEqual([]);
  });
});
