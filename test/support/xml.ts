// A tiny XML well-formedness checker (no parser dependency): tags balance, one root, attributes
// are name="value" without raw < or stray &, text has no stray &, no duplicate attributes.

const ENTITY_OK = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
const TAG = /^<([A-Za-z_][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*="[^"<]*")*)\s*(\/?)>$/s;

export function xmlErrors(doc: string): string[] {
  const errors: string[] = [];
  const stack: string[] = [];
  let roots = 0;
  for (const m of doc.matchAll(/<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<[^>]*>|[^<]+|</g)) {
    const tok = m[0];
    if (tok.startsWith('<!--') || tok.startsWith('<?')) continue;
    if (tok === '<') {
      errors.push(`raw < at ${m.index}`);
    } else if (tok.startsWith('</')) {
      const name = tok.slice(2, -1).trim();
      const open = stack.pop();
      if (open !== name) errors.push(`</${name}> closes <${open ?? 'nothing'}> at ${m.index}`);
    } else if (tok.startsWith('<')) {
      const t = TAG.exec(tok);
      if (!t) {
        errors.push(`malformed tag ${tok.slice(0, 80)} at ${m.index}`);
        continue;
      }
      const names = [...t[2].matchAll(/([A-Za-z_][\w:.-]*)="/g)].map((a) => a[1]);
      if (new Set(names).size !== names.length) errors.push(`duplicate attribute in ${tok.slice(0, 80)}`);
      if (ENTITY_OK.test(t[2])) errors.push(`bad & in attributes of ${tok.slice(0, 80)}`);
      if (stack.length === 0) roots++;
      if (t[3] !== '/') stack.push(t[1]);
    } else {
      if (ENTITY_OK.test(tok)) errors.push(`bad & in text ${tok.slice(0, 40)}`);
      if (stack.length === 0 && tok.trim() !== '') errors.push(`text outside the root: ${tok.slice(0, 40)}`);
    }
  }
  if (stack.length > 0) errors.push(`unclosed: ${stack.join(' > ')}`);
  if (roots !== 1) errors.push(`${roots} root elements`);
  return errors;
}
