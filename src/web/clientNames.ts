import { isIPv6 } from 'node:net';

/**
 * The names in a certificate's subjectAltName as Node prints it
 * ("DNS:a, IP Address:127.0.0.1, email:x@y, URI:spiffe://…"; a value with a
 * comma or quote is printed as a JSON string), without their kinds.
 */
export function subjectAltNames(text: string | undefined): string[] {
  if (!text) return [];
  const names: string[] = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon === -1) break;
    let value: string;
    let end: number;
    if (text[colon + 1] === '"') {
      // JSON-quoted: up to the closing quote not escaped.
      let j = colon + 2;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      try {
        value = JSON.parse(text.slice(colon + 1, j + 1)) as string;
      } catch {
        value = text.slice(colon + 2, j);
      }
      end = j + 1;
    } else {
      const comma = text.indexOf(', ', colon + 1);
      end = comma === -1 ? text.length : comma;
      value = text.slice(colon + 1, end);
    }
    names.push(value);
    const next = text.indexOf(', ', end);
    i = next === -1 ? text.length : next + 2;
  }
  return names;
}

/** An IPv6 address as Go prints it (compressed), so that Node's long form matches what an operator writes. */
function canonical(name: string): string {
  if (!isIPv6(name)) return name;
  try {
    return new URL(`http://[${name}]/`).hostname.slice(1, -1);
  } catch {
    return name;
  }
}

/** exporter-toolkit's client_allowed_sans: some name of the certificate equals some allowed name exactly. */
export function hasAllowedName(certificateNames: readonly string[], allowed: readonly string[]): boolean {
  const wanted = new Set(allowed.map(canonical));
  return certificateNames.some((name) => wanted.has(canonical(name)));
}
