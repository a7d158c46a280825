/**
 * "Near-valid" documents for the fuzz suites: a valid JSON document with one thing broken (a
 * value of the wrong type, a number out of any range, a string longer than any limit, control
 * characters, an unknown or prototype key, a required key gone, a value nested thousands
 * deep), and where a validator must name the problem. Documents are plain JSON values; a
 * config file's text comes from `toJsonText`, which also writes what JSON.stringify cannot
 * (1e400, nesting too deep for its recursion).
 */
import fc from 'fast-check';

/** Where a value sits in a document: keys and array indices from the top. */
export type JsonPath = ReadonlyArray<string | number>;

/** Text written into a document as it is (a value JSON.stringify cannot make). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** One broken document, and what its validator must say. */
export interface Mutated {
  kind: string;
  document: unknown;
  /** Where the problem is; a validator must name it, or a path under it. */
  path: JsonPath;
  /** The key added (`unknown-key`), named as a field of its own where fields are named. */
  key?: string;
  /** False when the change may still be valid (control characters in a free-text field). */
  mustRefuse: boolean;
}

/** What `mutations` needs to know about the documents' shape. */
export interface DocumentShape {
  /** Every key some object of the document may have. */
  knownKeys: ReadonlySet<string>;
  /** Keys worth trying where they are not accepted (the CLI's password commands, in IPC). */
  suspectKeys?: readonly string[];
  /** The keys an object at `path` cannot do without, in groups removed together. */
  required(path: JsonPath, object: Record<string, unknown>): string[][];
  /** Where a problem at `path` is named: a union (a hook) is named as a whole. */
  namedAt?(path: JsonPath): JsonPath;
  /** Values written as text (config files) or passed as they are (IPC, at a lower depth). */
  target: 'file' | 'ipc';
}

/** Keys that have fooled JavaScript code before: prototype members and their relatives. */
export const prototypeKeys = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
];

const controlText = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
    fc.integer({ min: 0x7f, max: 0x9f }).map((c) => String.fromCharCode(c)),
    fc.constantFrom('\u2028', '\u202e', '\u001b[31m', '\n    at Object.<anonymous> (x.js:1:1)'),
    fc.string({ maxLength: 3 }),
  ),
  minLength: 1,
  maxLength: 12,
});

/** Every value in `document` with its path, the document itself first. */
export function nodesOf(document: unknown, path: JsonPath = []): Array<[JsonPath, unknown]> {
  const nodes: Array<[JsonPath, unknown]> = [[path, document]];
  if (Array.isArray(document)) {
    document.forEach((item, i) => nodes.push(...nodesOf(item, [...path, i])));
  } else if (isObject(document)) {
    for (const [key, value] of Object.entries(document)) {
      nodes.push(...nodesOf(value, [...path, key]));
    }
  }
  return nodes;
}

/** `document` with the value at `path` replaced (a copy; `undefined` removes the key). */
export function setAt(document: unknown, path: JsonPath, value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (Array.isArray(document)) {
    return document.map((item, i) => (i === head ? setAt(item, rest, value) : item));
  }
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(document as Record<string, unknown>)) {
    const next = key === head ? setAt(inner, rest, value) : inner;
    if (next !== undefined) define(copy, key, next);
  }
  return copy;
}

/** The broken versions of `document`, one change each. */
export function mutations(document: unknown, shape: DocumentShape): fc.Arbitrary<Mutated> {
  const nodes = nodesOf(document);
  const named = (path: JsonPath) => shape.namedAt?.(path) ?? path;
  const broken = (kind: string, path: JsonPath, value: unknown): Mutated => ({
    kind,
    document: setAt(document, path, value),
    path: named(path),
    mustRefuse: true,
  });
  const pick = <T>(items: T[]) => fc.constantFrom(...items);
  const choices: Array<fc.Arbitrary<Mutated>> = [];

  choices.push(
    pick(nodes).chain(([path, value]) =>
      otherType(value).map((other) => broken('wrong-type', path, other)),
    ),
  );
  const numbers = nodes.filter(([, value]) => typeof value === 'number');
  if (numbers.length > 0) {
    choices.push(
      fc
        .tuple(pick(numbers), outOfRange(shape.target))
        .map(([[path], value]) => broken('out-of-range', path, value)),
    );
  }
  const strings = nodes.filter(([, value]) => typeof value === 'string');
  if (strings.length > 0) {
    const huge = fc
      .tuple(fc.integer({ min: 4097, max: 100_000 }), fc.constantFrom('x', 'é', ' ', '😀'))
      .map(([length, char]) => char.repeat(length));
    choices.push(
      fc.tuple(pick(strings), huge).map(([[path], value]) => broken('huge-string', path, value)),
    );
    choices.push(
      fc.tuple(pick(strings), controlText).map(([[path], value]) => ({
        ...broken('control-characters', path, value),
        mustRefuse: false,
      })),
    );
  }
  const objects = nodes.filter(([, value]) => isObject(value));
  const unknownKey = fc
    .oneof(
      pick([...prototypeKeys, ...(shape.suspectKeys ?? []), 'pasword']),
      controlText,
      fc.string({ maxLength: 20 }),
    )
    .filter((key) => !shape.knownKeys.has(key));
  const bait = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constant({ polluted: 'yes', allowInsecureAuth: true, tls: 'none' }),
  );
  choices.push(
    fc.tuple(pick(objects), unknownKey, bait).map(([[path, object], key, value]) => ({
      kind: 'unknown-key',
      document: setAt(document, path, withKey(object as Record<string, unknown>, key, value)),
      path,
      key,
      mustRefuse: true,
    })),
  );
  const removals = objects.flatMap(([path, object]) =>
    shape
      .required(path, object as Record<string, unknown>)
      .filter((group) => group.some((key) => Object.hasOwn(object as object, key)))
      .map((group): [JsonPath, string[]] => [path, group]),
  );
  if (removals.length > 0) {
    choices.push(
      pick(removals).map(([path, group]) => {
        const [only] = group;
        const without = group.reduce<unknown>(
          (doc, key) => setAt(doc, [...path, key], undefined),
          document,
        );
        const at = group.length === 1 && only !== undefined ? [...path, only] : path;
        return { kind: 'missing', document: without, path: named(at), mustRefuse: true };
      }),
    );
  }
  const inner = nodes.filter(([path]) => path.length > 0);
  choices.push(
    fc
      .tuple(pick(inner), deeplyNested(shape.target))
      .map(([[path], value]) => broken('deep-nesting', path, value)),
  );
  return fc.oneof(...choices);
}

/** The document's text, with `RawJson` values written as they are. */
export function toJsonText(document: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(document, (_key, value: unknown) => {
    if (!(value instanceof RawJson)) return value;
    raws.push(value.text);
    return `\u0000raw ${raws.length - 1}`;
  });
  return text.replace(/"\\u0000raw (\d+)"/g, (_m, i: string) => raws[Number(i)] ?? 'null');
}

// Another JSON type than `value`'s. A string and an array never replace each other: a hook
// takes either.
function otherType(value: unknown): fc.Arbitrary<unknown> {
  const kind = (v: unknown) =>
    Array.isArray(v) || typeof v === 'string' ? 'text' : v === null ? 'null' : typeof v;
  return fc.jsonValue({ maxDepth: 2 }).filter((other) => kind(other) !== kind(value));
}

// No setting takes a negative number or one of a million or more.
function outOfRange(target: DocumentShape['target']): fc.Arbitrary<unknown> {
  const extremes =
    target === 'file'
      ? fc.constantFrom(new RawJson('1e400'), new RawJson('-1e400'), new RawJson('-0.0000001'))
      : fc.constantFrom(Infinity, -Infinity, Number.NaN, -Number.MIN_VALUE);
  return fc.oneof(
    fc.double({ min: -1e308, max: -1e-6, noNaN: true }),
    fc.double({ min: 1e6, max: 1e308, noNaN: true }),
    fc.integer({ min: 65536, max: 2 ** 31 }),
    extremes,
  );
}

// Arrays or objects nested `depth` deep: as text for a file (deeper than JSON.stringify can
// go), as values for IPC (as deep as structured cloning takes).
function deeplyNested(target: DocumentShape['target']): fc.Arbitrary<unknown> {
  const depth =
    target === 'file' ? fc.integer({ min: 2, max: 50_000 }) : fc.integer({ min: 2, max: 300 });
  return fc.tuple(depth, fc.boolean()).map(([n, arrays]) => {
    if (target === 'file') {
      return new RawJson(
        arrays ? `${'['.repeat(n)}${']'.repeat(n)}` : `${'{"a":'.repeat(n)}{}${'}'.repeat(n)}`,
      );
    }
    let value: unknown = arrays ? [] : {};
    for (let i = 1; i < n; i++) value = arrays ? [value] : { a: value };
    return value;
  });
}

function withKey(object: Record<string, unknown>, key: string, value: unknown) {
  const copy = { ...object };
  define(copy, key, value);
  return copy;
}

// An own, enumerable key even for "__proto__" (an assignment would set the prototype).
function define(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof RawJson)
  );
}
