/**
 * Builds a function that replaces every canonical value found in a text with `[redacted]`.
 *
 * A last line of defence for text EnvSync does not write itself (a provider's error message may
 * quote the rejected value). Values shorter than 4 characters are left alone: redacting `1` or
 * `on` everywhere would garble messages, and such values carry no secret.
 */
export function createRedactor(values: Iterable<string>): (text: string) => string {
  const secrets = [...new Set(values)].filter((value) => value.length >= 4).sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (text) => text;
  return (text) => secrets.reduce((result, secret) => result.split(secret).join('[redacted]'), text);
}
