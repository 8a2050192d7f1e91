/**
 * Building the page without innerHTML: every text reaches the DOM through `textContent` or an
 * attribute, so nothing an API answers (a key name, an error message) can ever become markup, and
 * the page runs under `require-trusted-types-for 'script'`.
 */

/** Attributes of an element; `false` and `undefined` leave the attribute out. */
export type Attributes = Readonly<Record<string, string | number | boolean | undefined>>;
/** What may go inside an element. */
export type Child = Node | string | number | false | null | undefined | readonly Child[];

/** An HTML element with attributes and children. `on*` handlers are set with {@link on}. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

const svgNamespace = 'http://www.w3.org/2000/svg';

/** An SVG element (charts), same rules as {@link h}. */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(svgNamespace, tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

/** Adds an event listener and returns the element, for building in one expression. */
export function on<E extends Element>(element: E, type: string, listener: (event: Event) => void): E {
  element.addEventListener(type, listener);
  return element;
}

/** Replaces everything inside `parent`. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

function setAttributes(element: Element, attributes: Attributes): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
}

function append(parent: Element, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (typeof child === 'string') parent.append(document.createTextNode(child));
    else if (typeof child === 'number') parent.append(document.createTextNode(String(child)));
    else if (child instanceof Node) parent.append(child);
    else append(parent, child);
  }
}
