#!/usr/bin/env python3
"""Lists C++ function bodies longer than a limit (default 80 lines), longest first.

    scripts/function_lengths.py [--limit N] [PATH ...]      (default PATH: src)

A function body is a top-level `{ ... }` (outside namespaces, classes, structs, enums) whose
header ends in `)`, `) const`, `) override`, `noexcept` or a trailing return type; lambdas and
local classes count toward the function that holds them. Comments, strings and character
literals are skipped. Lines are counted from the line of the opening brace's header to the
closing brace. Exit status 1 when a function is over the limit, so CI or a hook can use it.
"""
import argparse
import pathlib
import re
import sys

CONTAINER = re.compile(r'\b(namespace|class|struct|union|enum)\b[^()]*$|extern\s+"C"\s*$')


def strip_code(text):
    """Replaces comments and string/char literal contents with spaces, keeping newlines."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i)); i = j
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j])); i = j
        elif text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == '_')):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            end = text.find(')' + m.group(1) + '"', i) if m else -1
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append('""' + re.sub(r'[^\n]', ' ', text[i + 2:j])); i = j
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            out.append(c + ' ' * (j - i - 1) + c); i = j + 1
        else:
            out.append(c); i += 1
    return ''.join(out)


def function_bodies(path):
    code = strip_code(path.read_text(encoding='utf-8', errors='replace'))
    stack = []  # one entry per open brace: 'container', 'function' or 'other'
    header_start = 0  # index after the last ';', '{' or '}' at container level
    for i, c in enumerate(code):
        if c == '{':
            inside_function = any(kind == 'function' for kind, _ in stack)
            header = code[header_start:i].strip()
            if inside_function:
                kind = 'other'
            elif CONTAINER.search(header):
                kind = 'container'
            elif re.search(r'\)\s*(const|override|final|noexcept|mutable|\s)*(->[^{;]*)?$', header) and '=' not in header.split('(')[0]:
                kind = 'function'
            else:
                kind = 'other'
            stack.append((kind, header_start))
            header_start = i + 1
        elif c == '}':
            if not stack:
                continue
            kind, start = stack.pop()
            if kind == 'function':
                first = code.count('\n', 0, start) + 1
                while first <= code.count('\n', 0, i) and not code.splitlines()[first - 1].strip():
                    first += 1
                last = code.count('\n', 0, i) + 1
                name = re.sub(r'\s+', ' ', code[start:code.find('{', start)].strip())
                name = re.sub(r'\(.*', '', name, flags=re.S).split(' ')[-1]
                yield name, first, last
            header_start = i + 1
        elif c == ';' and not any(kind != 'container' for kind, _ in stack):
            header_start = i + 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--limit', type=int, default=80)
    parser.add_argument('paths', nargs='*', default=['src'])
    args = parser.parse_args()
    files = []
    for p in map(pathlib.Path, args.paths):
        files += sorted(p.rglob('*.cpp')) + sorted(p.rglob('*.h')) if p.is_dir() else [p]
    rows = []
    for f in files:
        for name, first, last in function_bodies(f):
            rows.append((last - first + 1, f'{f}:{first}', name))
    over = sorted((r for r in rows if r[0] > args.limit), reverse=True)
    for length, where, name in over:
        print(f'{length:4d}  {where}  {name}')
    print(f'{len(over)} of {len(rows)} functions over {args.limit} lines'
          + (f' (longest: {max(rows)[0]} lines)' if rows else ''))
    return 1 if over else 0


if __name__ == '__main__':
    sys.exit(main())
